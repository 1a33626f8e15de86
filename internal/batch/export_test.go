package batch

// Queued says how many items wait for a round (the round in flight aside).
func (g *Group[T]) Queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}
