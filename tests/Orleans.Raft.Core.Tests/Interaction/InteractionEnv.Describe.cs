using Orleans.Raft.Consensus;

namespace Orleans.Raft.Core.Tests.Interaction;

// The only place that reads a node's log and progress: adapt it when the core's read-only views change.
public sealed partial class InteractionEnv
{
    /// <summary>One line: role, term, vote, leader, last log entry, snapshot, commit and applied index.</summary>
    public static string Describe(RaftNode node) =>
        $"{node.Id} {node.Role} Term:{node.CurrentTerm} Vote:{node.VotedFor ?? "0"} Lead:{node.LeaderId ?? "0"} "
        + $"Log:{node.Log.LastTerm}/{node.Log.LastIndex} Snapshot:{node.Log.SnapshotTerm}/{node.Log.SnapshotIndex} "
        + $"Commit:{node.CommitIndex} Applied:{node.LastApplied}{(node.Quiesced ? " Quiesced" : "")}";

    /// <summary>A leader's view of each follower, one line each; nothing for a non-leader.</summary>
    public static IEnumerable<string> DescribeProgress(RaftNode node) =>
        node.Progress.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
            $"{p.Key}: {p.Value.State} match={p.Value.MatchIndex} next={p.Value.NextIndex}"
            + (p.Value.PendingSnapshotIndex > 0 ? $" snapshot={p.Value.PendingSnapshotIndex}" : "")
            + (p.Value.IsLearner ? " learner" : ""));

    /// <summary>The entries the node still holds, oldest first.</summary>
    public static IEnumerable<LogEntry> LogEntries(RaftNode node) =>
        node.Log.Count == 0 ? [] : node.Log.Slice(node.Log.FirstIndex, node.Log.LastIndex);

    /// <summary>The term of the entry at index, or null when the log no longer (or not yet) holds it.</summary>
    public static long? TermAt(RaftNode node, long index) => node.Log.TermAt(index);
}
