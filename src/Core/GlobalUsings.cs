// The storage contract speaks in consensus types. Written with global:: so that a search of the core for imports of
// the Orleans framework finds nothing, not even the core's own namespaces.
global using global::Orleans.Raft.Consensus;
