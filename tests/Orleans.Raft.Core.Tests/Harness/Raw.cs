using Orleans.Raft.Consensus;

namespace Orleans.Raft.Core.Tests.Harness;

/// <summary>Helpers for etcd-style unit tests that drive a single <see cref="RaftNode"/> by hand.</summary>
public static class Raw
{
    public static readonly string[] Three = ["n1", "n2", "n3"];

    public static RaftConfig Config(string id, IReadOnlyList<string>? members = null, bool preVote = false, bool checkQuorum = false) =>
        new() { Id = id, Members = members ?? Three, PreVote = preVote, CheckQuorum = checkQuorum };

    /// <summary>A log whose entry i has term terms[i-1] and a one-byte payload.</summary>
    internal static RaftLog LogWithTerms(params long[] terms) =>
        new(terms.Select((t, i) => new LogEntry(i + 1, t, LogEntryType.Command, [(byte)(i + 1)])));

    public static RaftNode Node(string id, long term = 0, string? votedFor = null, long[]? logTerms = null, RaftConfig? config = null, long commit = 0) =>
        new(config ?? Config(id), new HardState(term, votedFor, commit), LogWithTerms(logTerms ?? []), new SeededRaftRandom(1));

    /// <summary>Runs the Ready loop with no storage (for tests that only look at messages); returns the messages.</summary>
    public static List<RaftMessage> Drain(RaftNode node)
    {
        var messages = new List<RaftMessage>();
        while (node.HasReady)
        {
            var rd = node.GetReady();
            messages.AddRange(rd.LeaderMessages);
            messages.AddRange(rd.Messages);
            node.Advance(rd);
        }
        return messages;
    }

    public static RaftMessage Append(string from, string to, long term, long prevIndex, long prevTerm, long commit = 0, params LogEntry[] entries) =>
        new()
        {
            Type = MessageType.AppendEntries,
            From = from,
            To = to,
            Term = term,
            Index = prevIndex,
            LogTerm = prevTerm,
            Commit = commit,
            Entries = entries,
        };

    public static RaftMessage Vote(string from, string to, long term, long lastIndex, long lastTerm, bool preVote = false, bool force = false) =>
        new()
        {
            Type = preVote ? MessageType.RequestPreVote : MessageType.RequestVote,
            From = from,
            To = to,
            Term = term,
            Index = lastIndex,
            LogTerm = lastTerm,
            Force = force,
        };

    public static LogEntry Entry(long index, long term, byte payload = 0) => new(index, term, LogEntryType.Command, [payload]);
}
