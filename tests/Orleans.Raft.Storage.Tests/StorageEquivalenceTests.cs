using Orleans.Raft.Consensus;

namespace Orleans.Raft.Storage.Tests;

/// <summary>
/// Drives the in-memory and the SQLite store through the same seeded random operations (valid and invalid, from current
/// and stale handles) and requires the same outcome and the same loaded state after every step.
/// </summary>
public sealed class StorageEquivalenceTests
{
    private static readonly string[] Replicas = ["r1", "r2"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Both_stores_behave_alike_under_random_operations(int seed)
    {
        using var temp = new TempDirectory();
        await using var sqlite = new SqliteRaftStorage(new SqliteRaftStorageOptions { DataDirectory = temp.Path });
        var memory = new InMemoryRaftStorage();
        var random = new Random(seed);
        var current = new Dictionary<string, (IRaftReplicaStore Memory, IRaftReplicaStore Sqlite)>();
        var stale = new List<(string Replica, IRaftReplicaStore Memory, IRaftReplicaStore Sqlite)>();

        async Task Reopen(string replica)
        {
            if (current.TryGetValue(replica, out var old)) stale.Add((replica, old.Memory, old.Sqlite));
            current[replica] = (await memory.OpenAsync("g", replica), await sqlite.OpenAsync("g", replica));
        }

        foreach (var replica in Replicas) await Reopen(replica);

        for (var step = 0; step < 300; step++)
        {
            var replica = Replicas[random.Next(Replicas.Length)];
            var (memoryStore, sqliteStore) = current[replica];
            var model = await memoryStore.LoadAsync();
            var snapshotIndex = model.Snapshot?.Index ?? 0;
            var lastIndex = model.Entries.Count > 0 ? model.Entries[^1].Index : snapshotIndex;
            var lastTerm = model.Entries.Count > 0 ? model.Entries[^1].Term : model.Snapshot?.Term ?? 0;

            if (random.Next(10) == 0 && stale.Count > 0)
            {
                // Any write through an older handle.
                var old = stale[random.Next(stale.Count)];
                (memoryStore, sqliteStore, replica) = (old.Memory, old.Sqlite, old.Replica);
            }

            Func<IRaftReplicaStore, Task> operation;
            string description;
            switch (random.Next(100))
            {
                case < 8:
                    await Reopen(replica);
                    continue;
                case < 11:
                    operation = s => s.DeleteAsync();
                    description = "delete";
                    break;
                case < 20:
                    string[] members = [.. Replicas.Take(random.Next(Replicas.Length + 1))];
                    operation = s => s.SaveMembersAsync(members);
                    description = $"members [{string.Join(",", members)}]";
                    break;
                case < 35:
                    var index = random.Next((int)snapshotIndex - 1, (int)lastIndex + 3);
                    var term = random.Next(3) == 0 ? random.Next(0, (int)lastTerm + 2) : TermAt(model, index) ?? lastTerm;
                    byte[] data = [.. Enumerable.Range(0, random.Next(4)).Select(_ => (byte)random.Next(256))];
                    var catchUp = random.Next(2) == 0 ? 0 : random.Next(4);
                    operation = s => s.SaveSnapshotAsync(new RaftSnapshot(index, term, data), catchUp);
                    description = $"snapshot {index}@{term} catch-up {catchUp}";
                    break;
                default:
                    HardState? hardState = random.Next(3) == 0 ? null : new HardState(random.Next(5), random.Next(2) == 0 ? null : Replicas[random.Next(2)], random.Next(5));
                    var first = random.Next(4) == 0 ? random.Next((int)snapshotIndex, (int)lastIndex + 3) : random.Next((int)Math.Max(snapshotIndex + 1, lastIndex - 2), (int)lastIndex + 2);
                    var count = random.Next(5);
                    var entryTerm = lastTerm + random.Next(2);
                    LogEntry[] entries = [.. Enumerable.Range(0, count).Select(i => new LogEntry(first + i, entryTerm, (LogEntryType)random.Next(2), [.. Enumerable.Range(0, random.Next(5)).Select(_ => (byte)random.Next(256))]))];
                    operation = s => s.SaveAsync(hardState, entries);
                    description = $"save {hardState} entries {first}+{count}@{entryTerm}";
                    break;
            }

            var memoryOutcome = await Outcome(() => operation(memoryStore));
            var sqliteOutcome = await Outcome(() => operation(sqliteStore));
            Assert.True(memoryOutcome == sqliteOutcome, $"step {step} {replica} {description}: in-memory {memoryOutcome}, SQLite {sqliteOutcome}");
            if (description == "delete" && memoryOutcome == "ok") await Reopen(replica);

            foreach (var r in Replicas)
            {
                var expected = Describe(await current[r].Memory.LoadAsync());
                var actual = Describe(await current[r].Sqlite.LoadAsync());
                Assert.True(expected == actual, $"step {step} {replica} {description}: {r} differs\nin-memory: {expected}\nSQLite:    {actual}");
            }
        }
    }

    private static long? TermAt(PersistedReplicaState state, long index) =>
        index == state.Snapshot?.Index ? state.Snapshot.Term : state.Entries.FirstOrDefault(e => e.Index == index)?.Term;

    private static async Task<string> Outcome(Func<Task> operation)
    {
        try
        {
            await operation();
            return "ok";
        }
        catch (Exception ex)
        {
            return ex.GetType().Name;
        }
    }

    private static string Describe(PersistedReplicaState state) =>
        $"members [{string.Join(",", state.Members)}] {state.HardState} snapshot {(state.Snapshot is { } s ? $"{s.Index}@{s.Term}:{Convert.ToHexString(s.Data)}#{s.Checksum}" : "none")} " +
        $"entries {string.Join(" ", state.Entries.Select(e => $"{e.Index}@{e.Term}/{e.Type}:{Convert.ToHexString(e.Data)}"))}";
}
