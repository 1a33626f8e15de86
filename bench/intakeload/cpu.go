package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// processCPU returns the CPU time process pid has used so far, user and
// system, over all its threads, as /proc/<pid>/stat gives it.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime, fields 14 and 15, from a
// /proc/<pid>/stat line. The command name in field 2 may hold spaces and
// parentheses, so the fields are counted from its closing parenthesis.
func parseStatCPU(stat []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("/proc stat %q: no command name", stat)
	}
	fields := bytes.Fields(stat[end+1:]) // fields[0] is field 3, the state
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc stat %q: too few fields", stat)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat %q: %w", stat, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// cpuMeter measures the CPU a process spends between start and stop; pid 0
// measures nothing (Firebreak in this process, where the load generator's
// CPU would be counted too).
type cpuMeter struct {
	pid   int
	start time.Duration
}

func startCPU(pid int) (*cpuMeter, error) {
	m := &cpuMeter{pid: pid}
	if pid == 0 {
		return m, nil
	}
	var err error
	m.start, err = processCPU(pid)
	return m, err
}

// perAlert returns the CPU spent since start per alert, in microseconds.
func (m *cpuMeter) perAlert(alerts int) (float64, error) {
	if m.pid == 0 || alerts == 0 {
		return 0, nil
	}
	now, err := processCPU(m.pid)
	if err != nil {
		return 0, err
	}
	return float64((now - m.start).Microseconds()) / float64(alerts), nil
}
