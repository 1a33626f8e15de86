package catalog

import (
	"strings"
)

// check finds the problems that span entries: names given twice, references
// to teams or services that do not exist, and dependency cycles.
func (p *parser) check(teams []teamEntry, services []serviceEntry) {
	teamNames := make([]ref, len(teams))
	for i, t := range teams {
		teamNames[i] = t.name
	}
	serviceNames := make([]ref, len(services))
	for i, s := range services {
		serviceNames[i] = s.name
	}
	teamAt := p.unique("team", teamNames)
	serviceAt := p.unique("service", serviceNames)

	for _, s := range services {
		if _, ok := teamAt[s.Team]; s.Team != "" && !ok {
			p.Errorf(s.team.node, s.team.path, "unknown team %q", s.Team)
		}
		for _, d := range s.deps {
			if d.value == s.Name {
				p.Errorf(d.node, d.path, "a service cannot depend on itself")
			} else if _, ok := serviceAt[d.value]; !ok {
				p.Errorf(d.node, d.path, "unknown service %q", d.value)
			}
		}
	}
	p.cycles(services, serviceAt)
}

// unique maps each name to the index of its first entry, and reports every
// later entry with the same name.
func (p *parser) unique(kind string, names []ref) map[string]int {
	first := make(map[string]int, len(names))
	for i, n := range names {
		if n.value == "" {
			continue
		}
		if j, dup := first[n.value]; dup {
			p.Errorf(n.node, n.path, "duplicate %s %q (first defined at line %d)", kind, n.value, names[j].node.Line)
			continue
		}
		first[n.value] = i
	}
	return first
}

// cycles reports each dependency cycle once, at the depends_on entry that
// closes it. Only the first entry of a duplicated name takes part, and
// references already reported as unknown or to self are left out.
func (p *parser) cycles(services []serviceEntry, serviceAt map[string]int) {
	const (
		unvisited = iota
		onPath
		done
	)
	state := make([]int, len(services))
	var path []int // indexes of the services being visited, outermost first

	var visit func(i int)
	visit = func(i int) {
		state[i] = onPath
		path = append(path, i)
		for _, d := range services[i].deps {
			j, ok := serviceAt[d.value]
			if !ok || j == i {
				continue
			}
			switch state[j] {
			case unvisited:
				visit(j)
			case onPath:
				p.Errorf(d.node, d.path, "dependency cycle: %s", cyclePath(services, path, j))
			}
		}
		path = path[:len(path)-1]
		state[i] = done
	}
	for i, s := range services {
		if at, ok := serviceAt[s.Name]; ok && at == i && state[i] == unvisited {
			visit(i)
		}
	}
}

// cyclePath writes the cycle that the edge from the last service on path to
// service j closes, starting and ending at the last service on path.
func cyclePath(services []serviceEntry, path []int, j int) string {
	start := 0
	for path[start] != j {
		start++
	}
	last := path[len(path)-1]
	names := []string{services[last].Name}
	for _, k := range path[start:] {
		names = append(names, services[k].Name)
	}
	return strings.Join(names, " -> ")
}
