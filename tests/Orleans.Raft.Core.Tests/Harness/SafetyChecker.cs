using Orleans.Raft.Consensus;
using Orleans.Raft.StateMachine;
using Xunit.Sdk;

namespace Orleans.Raft.Core.Tests.Harness;

/// <summary>
/// Checks the safety properties of Figure 3 of the Raft paper over a cluster's whole history. Call
/// <see cref="Check"/> after every step; applied entries are checked as they happen. Logs may be compacted: log
/// properties compare only the indexes both logs still hold, and every snapshot taken or restored must equal a
/// replay of the committed entries up to its index.
/// </summary>
public sealed class SafetyChecker
{
    private readonly SimulatedCluster _cluster;
    private readonly Dictionary<long, string> _leaderOfTerm = [];
    private readonly Dictionary<(string Id, long Term), LeaderLog> _leaderLogs = [];
    private readonly List<Committed> _committed = [null!]; // 1-based
    private readonly Dictionary<long, LogEntry> _applied = [];
    private readonly Dictionary<string, HardState> _durable = [];
    private readonly Dictionary<(string Id, long Term), string> _durableVotes = [];
    private readonly Dictionary<string, (int Restarts, long Term, long Commit)> _volatile = [];
    private readonly Dictionary<long, byte[]> _referenceSnapshots = [];
    private KeyValueStateMachine _reference;

    public SafetyChecker(SimulatedCluster cluster)
    {
        _cluster = cluster;
        _reference = cluster.NewStateMachine();
        cluster.OnApplied = OnApplied;
        cluster.OnSnapshot = OnSnapshot;
    }

    /// <summary>How many snapshots were checked against a replay of the committed entries.</summary>
    public int SnapshotsChecked { get; private set; }

    public long CommittedIndex => _committed.Count - 1;

    public int Checks { get; private set; }

    /// <summary>The term of the entry recorded as committed at index, or null when none is yet.</summary>
    public long? CommittedTerm(long index) => index > 0 && index < _committed.Count ? _committed[(int)index].Entry.Term : null;

    /// <summary>How many configuration changes were recorded as committed.</summary>
    public int CommittedConfigChanges => _committed.Skip(1).Count(c => c.Entry.Type == LogEntryType.ConfigChange);

    /// <summary>How many terms had a leader.</summary>
    public int LeaderTerms => _leaderOfTerm.Count;

    public void Check()
    {
        Checks++;
        var nodes = _cluster.Nodes.ToList();
        foreach (var n in nodes)
        {
            CheckMonotonic(n);
            RecordCommits(n);
            if (!n.IsUp) continue;
            var raft = n.Raft;
            // Leadership counts once its term is durable. Only a lone node can lead first (it needs no votes, so
            // no messages); a crash before that write erases a leadership nobody saw, and it may win the term again.
            if (raft.Role != RaftRole.Leader || n.Store.HardState.CurrentTerm != raft.CurrentTerm) continue;
            CheckElectionSafety(n);
            CheckLeaderAppendOnly(n);
            CheckLeaderCompleteness(n);
            CheckLeaderConfiguration(n);
        }
        CheckLogMatching(nodes);
    }

    // Durable term and vote never go back (one vote per term, even across crashes); in memory, term and
    // commitIndex only grow within one incarnation, and the term is never behind the durable one.
    private void CheckMonotonic(SimNode n)
    {
        var hs = n.Store.HardState;
        if (_durable.TryGetValue(n.Id, out var before))
        {
            if (hs.CurrentTerm < before.CurrentTerm) Fail($"{n.Id}: durable term went back from {before.CurrentTerm} to {hs.CurrentTerm}");
            if (hs.CommitIndex < before.CommitIndex) Fail($"{n.Id}: durable commitIndex went back from {before.CommitIndex} to {hs.CommitIndex}");
        }
        _durable[n.Id] = hs;
        if (hs.VotedFor is { } vote)
        {
            if (_durableVotes.TryGetValue((n.Id, hs.CurrentTerm), out var earlier) && earlier != vote)
                Fail($"{n.Id}: voted for {earlier} and then {vote} in term {hs.CurrentTerm}");
            _durableVotes[(n.Id, hs.CurrentTerm)] = vote;
        }
        else if (_durableVotes.ContainsKey((n.Id, hs.CurrentTerm)))
        {
            Fail($"{n.Id}: durable vote of term {hs.CurrentTerm} was forgotten");
        }

        if (!n.IsUp) return;
        var raft = n.Raft;
        if (raft.CurrentTerm < hs.CurrentTerm) Fail($"{n.Id}: term {raft.CurrentTerm} behind its durable term {hs.CurrentTerm}");
        if (_volatile.TryGetValue(n.Id, out var v) && v.Restarts == n.Restarts)
        {
            if (raft.CurrentTerm < v.Term) Fail($"{n.Id}: term went back from {v.Term} to {raft.CurrentTerm}");
            if (raft.CommitIndex < v.Commit) Fail($"{n.Id}: commitIndex went back from {v.Commit} to {raft.CommitIndex}");
        }
        _volatile[n.Id] = (n.Restarts, raft.CurrentTerm, raft.CommitIndex);
    }

    // Election Safety: at most one leader can be elected in a given term.
    private void CheckElectionSafety(SimNode n)
    {
        var term = n.Raft.CurrentTerm;
        if (_leaderOfTerm.TryGetValue(term, out var other) && other != n.Id)
            Fail($"Election Safety: {n.Id} and {other} both led term {term}");
        _leaderOfTerm[term] = n.Id;
    }

    // Membership: a leader is a voter of the configuration in force, and its log holds at most one configuration change
    // past its commit index (single-server changes, one at a time).
    private void CheckLeaderConfiguration(SimNode n)
    {
        var raft = n.Raft;
        if (!raft.Configuration.IsVoter(n.Id)) Fail($"{n.Id} leads term {raft.CurrentTerm} but is not a voter of {raft.Configuration}");
        var pending = 0;
        for (var i = Math.Max(raft.CommitIndex + 1, raft.Log.FirstIndex); i <= raft.Log.LastIndex; i++)
        {
            if (raft.Log.At(i).Type == LogEntryType.ConfigChange) pending++;
        }
        if (pending > 1) Fail($"{n.Id} leads term {raft.CurrentTerm} with {pending} uncommitted configuration changes");
    }

    /// <summary>The configuration the committed entries up to index put in force (the bootstrap one without a change).</summary>
    private GroupConfiguration CommittedConfigurationAt(long index)
    {
        for (var i = Math.Min(index, _committed.Count - 1); i >= 1; i--)
        {
            var e = _committed[(int)i].Entry;
            if (e.Type == LogEntryType.ConfigChange) return GroupConfiguration.Decode(e.Data);
        }
        return _cluster[_cluster.Ids[0]].Config.Bootstrap;
    }

    // Leader Append-Only: a leader never overwrites or deletes entries in its log.
    private void CheckLeaderAppendOnly(SimNode n)
    {
        var log = n.Raft.Log;
        var key = (n.Id, n.Raft.CurrentTerm);
        if (_leaderLogs.TryGetValue(key, out var seen))
        {
            if (seen.Restarts != n.Restarts) Fail($"Leader Append-Only: {n.Id} led term {key.Item2} again after a restart");
            if (log.LastIndex < seen.Entries.Count)
                Fail($"Leader Append-Only: leader {n.Id} t{key.Item2} log shrank from {seen.Entries.Count} to {log.LastIndex}");
            // Compacted entries are gone from memory, not overwritten: compare what the log still holds.
            for (var i = Math.Max(0, (int)log.SnapshotIndex); i < seen.Entries.Count; i++)
            {
                if (seen.Entries[i] is { } e && !SameEntry(e, log.At(i + 1)))
                    Fail($"Leader Append-Only: leader {n.Id} t{key.Item2} changed entry {i + 1}");
            }
            for (var i = seen.Entries.Count + 1L; i <= log.LastIndex; i++) seen.Entries.Add(i > log.SnapshotIndex ? log.At(i) : null);
        }
        else
        {
            var entries = new List<LogEntry?>((int)log.LastIndex);
            for (var i = 1L; i <= log.LastIndex; i++) entries.Add(i > log.SnapshotIndex ? log.At(i) : null);
            _leaderLogs[key] = new LeaderLog(n.Restarts, entries);
        }
    }

    // Leader Completeness: a committed entry is in the log of every leader of a later term.
    private void CheckLeaderCompleteness(SimNode n)
    {
        var log = n.Raft.Log;
        // Below its snapshot index the leader holds committed entries as a snapshot, checked against a replay when taken.
        for (var i = Math.Max(1, (int)log.SnapshotIndex); i < _committed.Count; i++)
        {
            var c = _committed[i];
            if (c.Term > n.Raft.CurrentTerm) continue; // a stale leader of an older term
            var holds = i == log.SnapshotIndex ? log.SnapshotTerm == c.Entry.Term : log.LastIndex >= i && SameEntry(log.At(i), c.Entry);
            if (!holds)
                Fail($"Leader Completeness: leader {n.Id} t{n.Raft.CurrentTerm} lacks entry {i} (t{c.Entry.Term}) committed by t{c.Term}");
        }
    }

    /// <summary>
    /// Records newly committed entries, each with the lowest term at which a node was seen to commit it. Only the
    /// durable commit index counts: a lone leader commits in memory before its Ready is written (as in etcd's
    /// synchronous model), and a crash before the write may legitimately lose that entry, which nobody has applied.
    /// </summary>
    private void RecordCommits(SimNode n)
    {
        var raft = n.Raft;
        if (raft.CommitIndex > raft.Log.LastIndex) Fail($"{n.Id}: commitIndex {raft.CommitIndex} past last index {raft.Log.LastIndex}");
        var store = n.Store;
        var durable = store.HardState.CommitIndex;
        if (durable > store.LastIndex) Fail($"{n.Id}: durable commitIndex {durable} past the durable log end {store.LastIndex}");
        var upTo = Math.Min(durable, CommittedIndex);
        for (var i = CommittedIndex + 1; i <= durable; i++)
        {
            // A compacted entry is inside a snapshot, which some node took after applying it: take it from there.
            var entry = store.EntryAt(i) ?? _applied.GetValueOrDefault(i);
            if (entry is null) Fail($"{n.Id} committed {i}, compacted in its store, but no node ever applied it");
            if (_applied.TryGetValue(i, out var applied) && !SameEntry(applied, entry!)) Fail($"{n.Id} committed {entry} at {i}, but {applied} was applied there");
            _committed.Add(new Committed(entry!, store.HardState.CurrentTerm));
        }
        // Committed entries must agree wherever two nodes committed the same index; checking the top is enough
        // because Log Matching covers the prefix.
        if (upTo > 0 && store.TermAt(upTo) is { } storedTerm
            && (store.EntryAt(upTo) is { } stored ? !SameEntry(stored, _committed[(int)upTo].Entry) : storedTerm != _committed[(int)upTo].Entry.Term))
            Fail($"{n.Id} committed a different entry at {upTo} than another node");
        if (upTo > 0 && n.IsUp && raft.Log.LastIndex < upTo)
            Fail($"{n.Id} lost committed entry {upTo} in memory");
        if (upTo > raft.Log.SnapshotIndex && n.IsUp && !SameEntry(raft.Log.At(upTo), _committed[(int)upTo].Entry))
            Fail($"{n.Id} changed committed entry {upTo} in memory");
    }

    // Log Matching: if two logs contain an entry with the same index and term, the logs are identical up to it.
    private void CheckLogMatching(List<SimNode> nodes)
    {
        for (var a = 0; a < nodes.Count; a++)
        {
            for (var b = a + 1; b < nodes.Count; b++)
            {
                var la = LogView.Of(nodes[a]);
                var lb = LogView.Of(nodes[b]);
                // Only indexes both logs still know; below a snapshot the snapshot checks stand in.
                var low = Math.Max(Math.Max(la.SnapshotIndex, lb.SnapshotIndex), 1);
                var i = Math.Min(la.LastIndex, lb.LastIndex);
                while (i >= low && la.TermAt(i) != lb.TermAt(i)) i--;
                for (; i >= low; i--)
                {
                    var (ea, eb) = (la.At(i), lb.At(i));
                    var same = ea is not null && eb is not null ? SameEntry(ea, eb) : la.TermAt(i) == lb.TermAt(i);
                    if (!same)
                        Fail($"Log Matching: {nodes[a].Id} and {nodes[b].Id} share a term at a later index but differ at {i}: {ea} vs {eb}");
                }
            }
        }
    }

    // State Machine Safety: no two replicas apply different entries at the same index.
    private void OnApplied(SimNode n, LogEntry e)
    {
        if (_applied.TryGetValue(e.Index, out var earlier))
        {
            if (!SameEntry(earlier, e)) Fail($"State Machine Safety: {n.Id} applied {e} at {e.Index}, another node applied {earlier}");
        }
        else
        {
            _applied[e.Index] = e;
        }
        if (e.Index < _committed.Count && !SameEntry(_committed[(int)e.Index].Entry, e))
            Fail($"State Machine Safety: {n.Id} applied an entry at {e.Index} that differs from the committed one");
    }

    /// <summary>
    /// A snapshot (taken, or restored from a leader or the store) must be exactly the state a replay of the applied
    /// entries up to its index gives: a restored node applies nothing below it, so this stands in for State Machine
    /// Safety there. Every entry in a snapshot was applied by the node that took it (or the one it came from).
    /// </summary>
    private void OnSnapshot(SimNode n, SnapshotData snapshot, bool restored)
    {
        SnapshotsChecked++;
        var expected = ReferenceSnapshot(n, snapshot.Index);
        if (!snapshot.Data.AsSpan().SequenceEqual(expected))
            Fail($"State Machine Safety: {n.Id} {(restored ? "restored" : "took")} a snapshot at {snapshot.Index} that differs from a replay of the committed entries");
        if (restored && !n.StateMachine.TakeSnapshot().AsSpan().SequenceEqual(expected))
            Fail($"State Machine Safety: {n.Id} restored a snapshot at {snapshot.Index} but its state machine differs from a replay");
        if (_committed.Count > snapshot.Index && snapshot.Index > 0 && _committed[(int)snapshot.Index].Entry.Term != snapshot.Term)
            Fail($"{n.Id}: snapshot at {snapshot.Index} has term {snapshot.Term}, the committed entry there has term {_committed[(int)snapshot.Index].Entry.Term}");
        if (_committed.Count > snapshot.Index && !Equals(snapshot.Configuration, CommittedConfigurationAt(snapshot.Index)))
            Fail($"{n.Id}: snapshot at {snapshot.Index} carries {snapshot.Configuration}, the committed entries give {CommittedConfigurationAt(snapshot.Index)}");
    }

    /// <summary>The snapshot bytes of a state machine that applied the recorded entries 1..index.</summary>
    private byte[] ReferenceSnapshot(SimNode n, long index)
    {
        if (_referenceSnapshots.TryGetValue(index, out var cached)) return cached;
        if (_reference.LastAppliedIndex > index) _reference = _cluster.NewStateMachine(); // rare: replay from the start
        for (var i = _reference.LastAppliedIndex + 1; i <= index; i++)
        {
            if (!_applied.TryGetValue(i, out var e)) Fail($"{n.Id}: a snapshot at {index} covers entry {i}, which no node applied");
            if (e!.Type == LogEntryType.Command) _reference.Apply(i, Command.Decode(e.Data));
            else if (e.Type == LogEntryType.ConfigChange) _reference.ApplyConfiguration(i, AppliedConfigurationAt(i - 1), GroupConfiguration.Decode(e.Data));
            else _reference.ApplyNoOp(i);
        }
        var bytes = _reference.TakeSnapshot();
        _referenceSnapshots[index] = bytes;
        return bytes;
    }

    /// <summary>The configuration as of index, from the applied entries: what the removed replicas are recorded against.</summary>
    private GroupConfiguration AppliedConfigurationAt(long index)
    {
        for (var i = index; i >= 1; i--)
        {
            if (_applied.TryGetValue(i, out var e) && e.Type == LogEntryType.ConfigChange) return GroupConfiguration.Decode(e.Data);
        }
        return _cluster[_cluster.Ids[0]].Config.Bootstrap;
    }

    private static bool SameEntry(LogEntry a, LogEntry b) =>
        ReferenceEquals(a, b)
        || (a.Index == b.Index && a.Term == b.Term && a.Type == b.Type && a.Data.AsSpan().SequenceEqual(b.Data));

    private void Fail(string violation) =>
        throw new XunitException($"seed {_cluster.Seed}: {violation}{Environment.NewLine}trace tail:{Environment.NewLine}{_cluster.TraceTail()}");

    private sealed record LeaderLog(int Restarts, List<LogEntry?> Entries);

    private sealed record Committed(LogEntry Entry, long Term);

    /// <summary>A live node's in-memory log, or a crashed node's durable one; either may start after a snapshot.</summary>
    private readonly struct LogView
    {
        private readonly IRaftLogView? _log;
        private readonly SimulatedStore? _store;

        private LogView(IRaftLogView? log, SimulatedStore? store)
        {
            _log = log;
            _store = store;
        }

        public long SnapshotIndex => _log?.SnapshotIndex ?? _store!.SnapshotIndex;

        public long LastIndex => _log?.LastIndex ?? _store!.LastIndex;

        public long? TermAt(long i) => _log is not null ? _log.TermAt(i) : _store!.TermAt(i);

        /// <summary>The entry at i, or null when compacted.</summary>
        public LogEntry? At(long i) => _log is not null ? (i > _log.SnapshotIndex ? _log.At(i) : null) : _store!.EntryAt(i);

        public static LogView Of(SimNode n) => n.IsUp ? new LogView(n.Raft.Log, null) : new LogView(null, n.Store);
    }
}
