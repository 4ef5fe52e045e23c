using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests;

/// <summary>
/// Ranges, revisions, transactions and leases against a plain model under seeded random operations: the model keeps
/// every key in a dictionary and answers a range by sorting all of them, the state machine uses its ordered index.
/// After each step the two agree on every answer, on the revision and on every key; the watch history, replayed from
/// empty, rebuilds the same keys; and a snapshot taken at any step restores to the same state.
/// </summary>
public sealed class RevisionModelTests
{
    private sealed record ModelKey(string Value, long Create, long Mod, long Version, long Lease);

    private sealed class Model
    {
        public readonly Dictionary<string, ModelKey> Keys = new(StringComparer.Ordinal);
        public readonly Dictionary<long, HashSet<string>> Leases = [];
        public long Revision;
        private bool _changed;

        public void Begin() => _changed = false;

        public void End()
        {
            if (_changed) Revision++;
        }

        public IEnumerable<string> In(string key, string? end) =>
            Keys.Keys.Where(k => end is null ? k == key : string.CompareOrdinal(k, key) >= 0 && (end == "\0" || string.CompareOrdinal(k, end) < 0))
                .Order(StringComparer.Ordinal);

        public void Put(string key, string value, long lease)
        {
            var rev = Revision + 1;
            _changed = true;
            if (Keys.TryGetValue(key, out var was))
            {
                if (was.Lease != 0) Leases[was.Lease].Remove(key);
                Keys[key] = new ModelKey(value, was.Create, rev, was.Version + 1, lease);
            }
            else Keys[key] = new ModelKey(value, rev, rev, 1, lease);
            if (lease != 0) Leases[lease].Add(key);
        }

        public void Delete(string key)
        {
            if (!Keys.Remove(key, out var was)) return;
            _changed = true;
            if (Leases.TryGetValue(was.Lease, out var keys)) keys.Remove(key);
        }

        public bool Holds(TxnCompare c)
        {
            if (!Keys.TryGetValue(c.Key, out var k))
            {
                if (c.Target == CompareTarget.Value) return false;
                k = new ModelKey("", 0, 0, 0, 0);
            }
            var order = c.Target switch
            {
                CompareTarget.Value => Math.Sign(string.CompareOrdinal(k.Value, c.Value)),
                CompareTarget.Version => k.Version.CompareTo(c.Number),
                CompareTarget.CreateRevision => k.Create.CompareTo(c.Number),
                CompareTarget.ModRevision => k.Mod.CompareTo(c.Number),
                _ => k.Lease.CompareTo(c.Number),
            };
            return c.Operator switch
            {
                CompareOperator.Equal => order == 0,
                CompareOperator.NotEqual => order != 0,
                CompareOperator.Less => order < 0,
                _ => order > 0,
            };
        }
    }

    private static readonly string[] Names = ["a", "ab", "abc", "b", "ba", "c", "{t}x", "{t}y", "z"];

    // Below the run's changes, so snapshots carry only part of the history and the bound is tested.
    private const int SnapshotHistoryEvents = 1000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void The_state_machine_agrees_with_the_model_under_random_operations(int seed)
    {
        var random = new Random(seed);
        var sm = new KeyValueStateMachine(historyCapacity: 100_000, snapshotHistoryEvents: SnapshotHistoryEvents);
        var model = new Model();
        long index = 0;
        var snapshots = new List<(byte[] Bytes, long Revision, Dictionary<string, ModelKey> Keys)>();

        for (var step = 0; step < 3000; step++)
        {
            index++;
            model.Begin();
            var roll = random.Next(100);
            string Key() => Names[random.Next(Names.Length)];
            long LiveLease() => model.Leases.Count > 0 && random.Next(3) > 0 ? model.Leases.Keys.ElementAt(random.Next(model.Leases.Count)) : 0;

            if (roll < 30)
            {
                var (key, value, lease) = (Key(), $"v{step}", LiveLease());
                var result = sm.Apply(index, new Command(CommandOperation.Set, key, value, null) { Lease = lease });
                Assert.Equal(ApplyStatus.Ok, result.Status);
                model.Put(key, value, lease);
            }
            else if (roll < 40)
            {
                var key = Key();
                var existed = model.Keys.ContainsKey(key);
                Assert.Equal(existed ? ApplyStatus.Ok : ApplyStatus.NotFound, sm.Apply(index, new Command(CommandOperation.Delete, key, null, null)).Status);
                model.Delete(key);
            }
            else if (roll < 70)
            {
                var txn = RandomTxn(random, model);
                var result = sm.Apply(index, Command.Transaction(txn));
                var succeeded = txn.Compares.All(model.Holds);
                var ops = succeeded ? txn.Success : txn.Failure;
                if (ops.Any(o => o.Type == TxnOpType.Put && o.Lease != 0 && !model.Leases.ContainsKey(o.Lease)))
                {
                    Assert.Equal(ApplyStatus.LeaseNotFound, result.Status);
                }
                else
                {
                    Assert.Equal(ApplyStatus.Ok, result.Status);
                    Assert.Equal(succeeded, result.Txn!.Succeeded);
                    for (var i = 0; i < ops.Count; i++)
                    {
                        var op = ops[i];
                        var got = result.Txn.Results[i];
                        switch (op.Type)
                        {
                            case TxnOpType.Range:
                                var want = model.In(op.Key, op.RangeEnd).ToList();
                                Assert.Equal(want.Count, got.Range!.Count);
                                var shown = op.Limit > 0 ? want.Take((int)op.Limit).ToList() : want;
                                Assert.Equal(shown, got.Range.Entries.Select(e => e.Key));
                                Assert.Equal(shown.Count < want.Count, got.Range.More);
                                Assert.All(got.Range.Entries, e => AssertEntry(model.Keys[e.Key], e, op.KeysOnly));
                                break;
                            case TxnOpType.Put:
                                if (op.PrevKv && model.Keys.TryGetValue(op.Key, out var before)) AssertEntry(before, got.Previous!.Single(), false);
                                model.Put(op.Key, op.Value!, op.Lease);
                                break;
                            case TxnOpType.Delete:
                                var gone = model.In(op.Key, op.RangeEnd).ToList();
                                Assert.Equal(gone.Count, got.Deleted);
                                foreach (var k in gone) model.Delete(k);
                                break;
                        }
                    }
                    model.End();
                    Assert.Equal(model.Revision, result.Txn.Revision);
                    model.Begin();
                }
            }
            else if (roll < 80)
            {
                var result = sm.Apply(index, Command.LeaseGrant(random.Next(1, 10_000)));
                Assert.Equal(index.ToString(), result.Value);
                model.Leases[index] = [];
            }
            else if (roll < 88)
            {
                var id = model.Leases.Count > 0 && random.Next(4) > 0 ? model.Leases.Keys.ElementAt(random.Next(model.Leases.Count)) : 999_999;
                var result = sm.Apply(index, Command.LeaseRevoke(id));
                if (model.Leases.Remove(id, out var keys))
                {
                    Assert.Equal(ApplyStatus.Ok, result.Status);
                    foreach (var k in keys.ToList()) model.Delete(k);
                }
                else Assert.Equal(ApplyStatus.LeaseNotFound, result.Status);
            }
            else
            {
                var from = Key();
                var end = random.Next(3) switch { 0 => null, 1 => "\0", _ => KeyValueStateMachine.PrefixEnd(from) };
                var limit = random.Next(3);
                var range = sm.Range(from, end, limit);
                var want = model.In(from, end).ToList();
                Assert.Equal(want.Count, range.Count);
                Assert.Equal(limit > 0 ? want.Take(limit) : want, range.Entries.Select(e => e.Key));
                sm.ApplyNoOp(index);
            }
            model.End();

            Assert.Equal(model.Revision, sm.Revision);
            Assert.Equal(model.Keys.Keys.Order(StringComparer.Ordinal), sm.Range("", "\0").Entries.Select(e => e.Key));
            foreach (var (key, k) in model.Keys) AssertEntry(k, sm.GetEntry(key)!, false);
            Assert.Equal(model.Leases.Keys.Order(), sm.LeaseIds);
            foreach (var (id, keys) in model.Leases) Assert.Equal(keys.Order(StringComparer.Ordinal), sm.GetLease(id)!.Keys);
            if (step % 250 == 0) snapshots.Add((sm.TakeSnapshot(), model.Revision, model.Keys.ToDictionary(StringComparer.Ordinal)));
        }

        // The history, replayed from empty, rebuilds every key: each change is there once, in revision order.
        var changes = new List<ChangeEvent>();
        for (var next = 1L; sm.History.HasAfter(next - 1); next = changes[^1].Revision + 1)
        {
            Assert.True(sm.History.TryRead(next, out var step));
            changes.AddRange(step);
        }
        Assert.Equal(changes.Select(c => c.Revision).Order(), changes.Select(c => c.Revision));
        Assert.Equal(sm.Revision, changes[^1].Revision);
        var replayed = new Dictionary<string, KeyValueEntry>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (change.Type == ChangeType.Put) replayed[change.Entry.Key] = change.Entry;
            else Assert.True(replayed.Remove(change.Entry.Key));
        }
        Assert.Equal(model.Keys.Keys.Order(StringComparer.Ordinal), replayed.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, k) in model.Keys) AssertEntry(k, replayed[key], false);

        foreach (var (bytes, revision, keys) in snapshots)
        {
            var restored = new KeyValueStateMachine(historyCapacity: 100_000, snapshotHistoryEvents: SnapshotHistoryEvents);
            restored.Restore(bytes);
            Assert.Equal(revision, restored.Revision);
            Assert.Equal(keys.Keys.Order(StringComparer.Ordinal), restored.Range("", "\0").Entries.Select(e => e.Key));
            foreach (var (key, k) in keys) AssertEntry(k, restored.GetEntry(key)!, false);
            Assert.Equal(bytes, restored.TakeSnapshot());
            // The snapshot carries the newest changes, whole revisions within its bounds: a replica restored from it
            // serves a watcher a little behind it; one further behind is told the oldest revision it can resume from.
            var compact = restored.History.CompactRevision;
            Assert.InRange(compact, Math.Max(0, revision - SnapshotHistoryEvents), revision);
            Assert.False(restored.History.TryRead(compact, out _));
            var carried = new List<ChangeEvent>();
            for (var next = compact + 1; restored.History.HasAfter(next - 1); next = carried[^1].Revision + 1)
            {
                Assert.True(restored.History.TryRead(next, out var step));
                carried.AddRange(step);
            }
            var upTo = changes.Where(c => c.Revision <= revision).ToList();
            Assert.Equal(upTo.Where(c => c.Revision > compact), carried);
            // Short of the bound by less than one transaction's changes at most.
            Assert.InRange(carried.Count, Math.Min(upTo.Count, SnapshotHistoryEvents - 128), SnapshotHistoryEvents);
        }
    }

    private static void AssertEntry(ModelKey want, KeyValueEntry got, bool keysOnly)
    {
        Assert.Equal(keysOnly ? null : want.Value, got.Value);
        Assert.Equal((want.Create, want.Mod, want.Version, want.Lease), (got.CreateRevision, got.ModRevision, got.Version, got.Lease));
    }

    private static TxnCommand RandomTxn(Random random, Model model)
    {
        string Key() => Names[random.Next(Names.Length)];
        TxnCompare Compare()
        {
            var key = Key();
            var target = (CompareTarget)random.Next(5);
            var op = (CompareOperator)random.Next(4);
            model.Keys.TryGetValue(key, out var k);
            // Mostly operands the key has, so both branches run.
            return target == CompareTarget.Value
                ? new TxnCompare(key, target, op, random.Next(2) == 0 && k is not null ? k.Value : $"v{random.Next(3000)}")
                : new TxnCompare(key, target, op, Number: random.Next(2) == 0 && k is not null
                    ? target switch { CompareTarget.Version => k.Version, CompareTarget.CreateRevision => k.Create, CompareTarget.ModRevision => k.Mod, _ => k.Lease }
                    : random.Next(0, (int)model.Revision + 2));
        }
        TxnOp Op()
        {
            var key = Key();
            return random.Next(3) switch
            {
                0 => TxnOp.Put(key, $"t{random.Next(1000)}", lease: random.Next(6) == 0 ? random.Next(1, 50) : model.Leases.Count > 0 && random.Next(2) == 0
                    ? model.Leases.Keys.First() : 0, prevKv: random.Next(2) == 0),
                1 => TxnOp.Delete(key, random.Next(2) == 0 ? null : KeyValueStateMachine.PrefixEnd(key), prevKv: random.Next(2) == 0),
                _ => TxnOp.Range(key, random.Next(3) switch { 0 => null, 1 => "\0", _ => KeyValueStateMachine.PrefixEnd(key) }, random.Next(3), random.Next(2) == 0),
            };
        }
        return new TxnCommand(
            [.. Enumerable.Range(0, random.Next(3)).Select(_ => Compare())],
            [.. Enumerable.Range(0, random.Next(4)).Select(_ => Op())],
            [.. Enumerable.Range(0, random.Next(3)).Select(_ => Op())]);
    }
}
