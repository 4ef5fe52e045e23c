namespace Orleans.Raft.Store;

/// <summary>
/// A leadership move the balancer chose: group <see cref="Group"/>'s leadership from <see cref="Leader"/> on node
/// <see cref="From"/> (which leads <see cref="FromCount"/> groups) to <see cref="Target"/> on node <see cref="To"/>
/// (which leads <see cref="ToCount"/>), where each node should lead at most <see cref="High"/> and at least <see cref="Low"/>.
/// </summary>
public sealed record LeaderMove(string Group, string Leader, string From, int FromCount, string Target, string To, int ToCount, int High, int Low);
