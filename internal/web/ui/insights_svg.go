package ui

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/insight"
)

// The insight charts are drawn here as inline SVG, so the page needs no
// script. Colours come from CSS classes (app.css, .chart …) that use the
// page's variables and currentColor, so light and dark themes both read;
// every chart has a <title> and a table beside it for screen readers.

// svgText escapes a label for SVG text content and attributes.
func svgText(s string) string { return html.EscapeString(s) }

// shorten cuts a label to n runes with an ellipsis, so long service names
// (or Korean team names) do not run into the bars.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, so the
// axis ticks are round numbers.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := 1.0
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// countsChart draws incidents per bucket as bars stacked by grade.
func countsChart(v *view, counts []insight.CountBucket) template.HTML {
	const w, h, left, bottom, top = 720, 260, 40, 40, 28
	var b strings.Builder
	title := v.T("ins.chart.counts")
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-counts-t"><title id="chart-counts-t">%s</title>`, w, h, svgText(title))
	maxTotal := 0
	for _, c := range counts {
		maxTotal = max(maxTotal, c.Total)
	}
	top2 := niceMax(float64(maxTotal))
	plotH := float64(h - bottom - top)
	for i := 0; i <= 4; i++ {
		y := float64(h-bottom) - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/><text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`,
			left, w-10, y, y, left-6, y+4, trimFloat(top2*float64(i)/4))
	}
	n := max(len(counts), 1)
	slot := float64(w-left-10) / float64(n)
	bw := slot * 0.7
	for i, c := range counts {
		x := float64(left) + slot*float64(i) + (slot-bw)/2
		y := float64(h - bottom)
		for g := 0; g < 5; g++ {
			if c.ByGrade[g] == 0 {
				continue
			}
			bh := plotH * float64(c.ByGrade[g]) / top2
			y -= bh
			fmt.Fprintf(&b, `<rect class="c-sev%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s SEV%d: %d</title></rect>`,
				g+1, x, y, bw, bh, svgText(c.Label), g+1, c.ByGrade[g])
		}
		// Labels on every bucket up to 12, then every other one.
		if n <= 12 || i%2 == 0 {
			fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+bw/2, h-bottom+16, svgText(c.Label))
		}
	}
	// Legend along the top.
	for g := 0; g < 5; g++ {
		x := left + g*80
		fmt.Fprintf(&b, `<rect class="c-sev%d" x="%d" y="6" width="12" height="12"/><text class="legend" x="%d" y="16">SEV%d</text>`, g+1, x, x+16, g+1)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// durationChart draws one measure per group: a bar to the median and a
// whisker on to the 90th percentile.
func durationChart(v *view, id string, m insight.Measure, groups []insight.Group) template.HTML {
	const w, left, right, row, top = 460, 90, 110, 26, 30
	rows := 0
	var maxD time.Duration
	for _, g := range groups {
		if s := g.Stats[m]; s.Count > 0 {
			rows++
			maxD = max(maxD, s.P90)
		}
	}
	h := top + max(rows, 1)*row + 10
	var b strings.Builder
	title := v.T("ins.chart.duration", v.T("ins.measure."+string(m)))
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t"><title id="%s-t">%s</title>`, w, h, id, id, svgText(title))
	fmt.Fprintf(&b, `<rect class="c-median" x="%d" y="6" width="12" height="12"/><text class="legend" x="%d" y="16">%s</text>`, left, left+16, svgText(v.T("ins.median")))
	fmt.Fprintf(&b, `<line class="whisker" x1="%d" x2="%d" y1="12" y2="12"/><text class="legend" x="%d" y="16">%s</text>`, left+90, left+110, left+116, svgText(v.T("ins.p90")))
	if rows == 0 {
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d">%s</text></svg>`, left, top+16, svgText(v.T("ins.no_data")))
		return template.HTML(b.String())
	}
	scale := float64(w-left-right) / float64(max(maxD, time.Minute))
	y := top
	for _, g := range groups {
		s := g.Stats[m]
		if s.Count == 0 {
			continue
		}
		mw := float64(s.Median) * scale
		pw := float64(s.P90) * scale
		fmt.Fprintf(&b, `<text class="label" x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+16, svgText(shorten(g.Key, 12)))
		fmt.Fprintf(&b, `<rect class="c-median" x="%d" y="%d" width="%.1f" height="16"><title>%s: %s %s, %s %s (n=%d)</title></rect>`,
			left, y+4, max(mw, 1), svgText(g.Key), svgText(v.T("ins.median")), i18n.FormatDuration(s.Median, v.lang()), svgText(v.T("ins.p90")), i18n.FormatDuration(s.P90, v.lang()), s.Count)
		fmt.Fprintf(&b, `<line class="whisker" x1="%.1f" x2="%.1f" y1="%d" y2="%d"/><line class="whisker" x1="%.1f" x2="%.1f" y1="%d" y2="%d"/>`,
			float64(left)+mw, float64(left)+pw, y+12, y+12, float64(left)+pw, float64(left)+pw, y+6, y+18)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d">%s / %s</text>`, float64(left)+pw+6, y+16, i18n.FormatDuration(s.Median, v.lang()), i18n.FormatDuration(s.P90, v.lang()))
		y += row
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// heatmapChart draws incidents per service and month; darker is more.
func heatmapChart(v *view, hm insight.Heatmap) template.HTML {
	const left, top, cell, gap = 150, 40, 34, 2
	w := left + max(len(hm.Months), 1)*(cell+gap) + 10
	h := top + max(len(hm.Services), 1)*(cell+gap) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart heat" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-heat-t"><title id="chart-heat-t">%s</title>`, w, h, svgText(v.T("ins.chart.heatmap")))
	for j, m := range hm.Months {
		// Month labels as MM, the year once where it changes.
		lbl := m[5:]
		if j == 0 || m[5:] == "01" {
			lbl = m[2:4] + "/" + m[5:]
		}
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d" text-anchor="middle">%s</text>`, left+j*(cell+gap)+cell/2, top-8, svgText(lbl))
	}
	for i, s := range hm.Services {
		y := top + i*(cell+gap)
		fmt.Fprintf(&b, `<text class="label" x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+cell/2+5, svgText(shorten(s, 18)))
		for j, n := range hm.Cells[i] {
			x := left + j*(cell+gap)
			level := 0
			if n > 0 && hm.Max > 0 {
				level = 1 + (n*4-1)/hm.Max // 1..4
			}
			fmt.Fprintf(&b, `<rect class="heat%d" x="%d" y="%d" width="%d" height="%d"><title>%s %s: %d</title></rect>`,
				level, x, y, cell, cell, svgText(s), hm.Months[j], n)
			if n > 0 {
				fmt.Fprintf(&b, `<text class="cell l%d" x="%d" y="%d" text-anchor="middle">%d</text>`, level, x+cell/2, y+cell/2+5, n)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// agesChart draws the open action items per term and category, as bars of
// their count labelled with their median and oldest age.
func agesChart(v *view, ages []insight.AgeGroup) template.HTML {
	const w, left, right, row, top = 720, 200, 170, 26, 10
	h := top + max(len(ages), 1)*row + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-ages-t"><title id="chart-ages-t">%s</title>`, w, h, svgText(v.T("ins.chart.ages")))
	if len(ages) == 0 {
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d">%s</text></svg>`, left, top+16, svgText(v.T("ins.no_data")))
		return template.HTML(b.String())
	}
	most := 0
	for _, a := range ages {
		most = max(most, a.Open)
	}
	scale := float64(w-left-right) / float64(most)
	for i, a := range ages {
		y := top + i*row
		label := v.T("term."+a.Term) + " · " + v.T("cat."+a.Category)
		fmt.Fprintf(&b, `<text class="label" x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+16, svgText(shorten(label, 26)))
		bw := float64(a.Open) * scale
		fmt.Fprintf(&b, `<rect class="c-term-%s" x="%d" y="%d" width="%.1f" height="16"/>`, svgText(a.Term), left, y+4, bw)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d">%s</text>`, float64(left)+bw+6, y+16, svgText(v.T("ins.ages_note", a.Open, a.MedianDays, a.MaxDays)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}
