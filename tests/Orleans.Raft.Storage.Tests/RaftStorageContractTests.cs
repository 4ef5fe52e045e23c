using Orleans.Raft.Consensus;

namespace Orleans.Raft.Storage.Tests;

/// <summary>
/// The stable-storage contract, run against every implementation (the subclasses below) so they are held to the same
/// behaviour. The first four tests are those of InMemoryStorageTests.
/// </summary>
public abstract class RaftStorageContractTests : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    /// <summary>A new, empty storage, isolated from every other; disposed after the test.</summary>
    protected abstract IRaftStorage CreateStorage();

    protected T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        // Reverse order: storages before the directories that hold them.
        for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }

    internal static LogEntry Entry(long index, long term) => new(index, term, LogEntryType.Command, [(byte)index]);

    private static (long Index, long Term)[] Positions(PersistedReplicaState state) => [.. state.Entries.Select(e => (e.Index, e.Term))];

    [Fact]
    public async Task Saved_state_survives_reopening_and_conflicting_entries_are_replaced()
    {
        var storage = CreateStorage();
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveMembersAsync(["r1", "r2", "r3"]);
        await store.SaveAsync(new HardState(2, "r2", 1), [Entry(1, 1), Entry(2, 1), Entry(3, 2)]);
        await store.SaveAsync(null, [Entry(3, 3), Entry(4, 3)]);

        var reopened = await (await storage.OpenAsync("g", "r1")).LoadAsync();
        Assert.Equal(["r1", "r2", "r3"], reopened.Members);
        Assert.Equal(new HardState(2, "r2", 1), reopened.HardState);
        Assert.Equal([(1L, 1L), (2, 1), (3, 3), (4, 3)], Positions(reopened));
    }

    [Fact]
    public async Task A_stale_activation_cannot_write()
    {
        var storage = CreateStorage();
        var old = await storage.OpenAsync("g", "r1");
        await old.SaveAsync(new HardState(1, null, 0), [Entry(1, 1)]);
        var current = await storage.OpenAsync("g", "r1");

        var ex = await Assert.ThrowsAsync<StaleEpochException>(() => old.SaveAsync(new HardState(5, "r1", 0), [Entry(2, 5)]));
        Assert.Contains($"epoch {old.Epoch} refused", ex.Message);
        await Assert.ThrowsAsync<StaleEpochException>(() => old.SaveMembersAsync(["r1"]));

        await current.SaveAsync(new HardState(2, null, 0), [Entry(2, 2)]);
        var state = await current.LoadAsync();
        Assert.Equal(2, state.HardState.CurrentTerm);
        Assert.Equal([1L, 2L], state.Entries.Select(e => e.Term));
    }

    [Fact]
    public async Task A_write_that_would_leave_a_gap_is_refused()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        await store.SaveAsync(null, [Entry(1, 1)]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(null, [Entry(3, 1)]));
        Assert.Single((await store.LoadAsync()).Entries);
    }

    [Fact]
    public async Task A_snapshot_replaces_the_entries_it_covers()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        await store.SaveAsync(null, [Entry(1, 1), Entry(2, 1), Entry(3, 2), Entry(4, 2)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 1, [42]));
        var state = await store.LoadAsync();
        Assert.Equal(2, state.Snapshot!.Index);
        Assert.Equal([3L, 4L], state.Entries.Select(e => e.Index));

        await store.SaveAsync(null, [Entry(4, 3), Entry(5, 3)]);
        Assert.Equal([(3L, 2L), (4, 3), (5, 3)], Positions(await store.LoadAsync()));

        // A snapshot from a leader that the log does not continue drops the whole log.
        await store.SaveSnapshotAsync(new RaftSnapshot(5, 4, [7]));
        state = await store.LoadAsync();
        Assert.Empty(state.Entries);
        Assert.Equal((5L, 4L), (state.Snapshot!.Index, state.Snapshot.Term));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(null, [Entry(5, 4)]));
        await store.SaveAsync(null, [Entry(6, 4)]);
        Assert.Equal([6L], (await store.LoadAsync()).Entries.Select(e => e.Index));
    }

    [Fact]
    public async Task A_snapshot_keeps_its_checksum_and_the_trailing_window_of_entries_below_it()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        await store.SaveAsync(null, [.. Enumerable.Range(1, 8).Select(i => Entry(i, 1))]);
        var snapshot = new RaftSnapshot(6, 1, [6, 6]);
        await store.SaveSnapshotAsync(snapshot, catchUpEntries: 3);

        var state = await store.LoadAsync();
        Assert.Equal(snapshot.Checksum, state.Snapshot!.Checksum);
        Assert.Equal(SnapshotChecksum.Compute([6, 6]), state.Snapshot.Checksum);
        Assert.Equal([4L, 5L, 6L, 7L, 8L], state.Entries.Select(e => e.Index));
        var log = new RaftLog(state.Entries, state.Snapshot.Index, state.Snapshot.Term);
        Assert.Equal((4L, 6L, 8L), (log.FirstIndex, log.SnapshotIndex, log.LastIndex));

        // Writes still go after the snapshot only; the window moves up with the next snapshot.
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(null, [Entry(6, 2)]));
        await store.SaveAsync(null, [Entry(8, 2), Entry(9, 2)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(8, 2, [8]), catchUpEntries: 3);
        Assert.Equal([6L, 7L, 8L, 9L], (await store.LoadAsync()).Entries.Select(e => e.Index));

        // A snapshot the log does not continue still drops the whole log, window included.
        await store.SaveSnapshotAsync(new RaftSnapshot(9, 3, [9]), catchUpEntries: 3);
        Assert.Empty((await store.LoadAsync()).Entries);
    }

    [Fact]
    public async Task A_snapshot_keeps_the_configuration_it_was_taken_in_and_a_newer_one_replaces_it()
    {
        var storage = CreateStorage();
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveMembersAsync(["r1", "r2", "r3"]);
        await store.SaveAsync(null, [Entry(1, 1), Entry(2, 1), Entry(3, 1)]);
        var first = new GroupConfiguration([new("r1", "n1"), new("r2", "n2")], [new("r4", "n4")]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 1, [2]) { Configuration = first });

        var state = await (await storage.OpenAsync("g", "r1")).LoadAsync();
        Assert.Equal(first, state.Snapshot!.Configuration);
        Assert.Equal(["r1", "r2", "r3"], state.Members); // the bootstrap members stay as created

        store = await storage.OpenAsync("g", "r1");
        var second = new GroupConfiguration([new("r1", "n1"), new("r2", "n2"), new("r4", "n4")]);
        await store.SaveSnapshotAsync(new RaftSnapshot(3, 1, [3]) { Configuration = second });
        Assert.Equal(second, (await store.LoadAsync()).Snapshot!.Configuration);

        // A snapshot without one (as taken before configurations were recorded) loads without one.
        await store.SaveAsync(null, [Entry(4, 1)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(4, 1, [4]));
        Assert.Null((await store.LoadAsync()).Snapshot!.Configuration);
    }

    [Fact]
    public async Task A_stored_snapshot_that_fails_its_checksum_is_refused_on_load()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        await store.SaveAsync(null, [Entry(1, 1), Entry(2, 1)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 1, [1, 2, 3], SnapshotChecksum.Compute([1, 2, 4])));

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.LoadAsync());
        Assert.Contains("checksum", ex.Message);
    }

    [Fact]
    public async Task A_new_replica_loads_the_empty_state()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        var state = await store.LoadAsync();
        Assert.False(state.IsConfigured);
        Assert.Empty(state.Members);
        Assert.Equal(HardState.Empty, state.HardState);
        Assert.Empty(state.Entries);
        Assert.Null(state.Snapshot);
    }

    [Fact]
    public async Task Each_open_takes_a_higher_epoch()
    {
        var storage = CreateStorage();
        var first = await storage.OpenAsync("g", "r1");
        var second = await storage.OpenAsync("g", "r1");
        var other = await storage.OpenAsync("g", "r2");
        Assert.Equal(1, first.Epoch);
        Assert.Equal(2, second.Epoch);
        Assert.Equal(1, other.Epoch);
    }

    [Fact]
    public async Task Replicas_and_groups_are_stored_apart()
    {
        var storage = CreateStorage();
        var a = await storage.OpenAsync("g1", "r1");
        var b = await storage.OpenAsync("g1", "r2");
        var c = await storage.OpenAsync("g2", "r1");
        await a.SaveAsync(new HardState(1, "r1", 0), [Entry(1, 1)]);
        await b.SaveAsync(new HardState(2, "r2", 0), [Entry(1, 2), Entry(2, 2)]);
        await c.SaveMembersAsync(["r1"]);
        await b.SaveSnapshotAsync(new RaftSnapshot(1, 2, [1]));

        var sa = await a.LoadAsync();
        var sb = await b.LoadAsync();
        var sc = await c.LoadAsync();
        Assert.Equal((new HardState(1, "r1", 0), 1), (sa.HardState, sa.Entries.Count));
        Assert.Null(sa.Snapshot);
        Assert.Equal([2L], sb.Entries.Select(e => e.Index));
        Assert.Equal(1, sb.Snapshot!.Index);
        Assert.Equal(["r1"], sc.Members);
        Assert.Empty(sc.Entries);
        Assert.Empty(sa.Members);
    }

    [Fact]
    public async Task Entries_round_trip_with_their_type_and_data()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        byte[] big = [.. Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7))];
        await store.SaveAsync(new HardState(3, null, 2),
            [LogEntry.NoOp(1, 1), new LogEntry(2, 1, LogEntryType.Command, [1, 2, 3]), new LogEntry(3, 3, LogEntryType.Command, big)]);
        var state = await store.LoadAsync();
        Assert.Equal(new HardState(3, null, 2), state.HardState);
        Assert.Equal([LogEntryType.NoOp, LogEntryType.Command, LogEntryType.Command], state.Entries.Select(e => e.Type));
        Assert.Empty(state.Entries[0].Data);
        Assert.Equal([1, 2, 3], state.Entries[1].Data);
        Assert.Equal(big, state.Entries[2].Data);
    }

    [Fact]
    public async Task HardState_and_entries_are_saved_independently()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        await store.SaveAsync(new HardState(1, "r1", 0), [Entry(1, 1), Entry(2, 1)]);
        await store.SaveAsync(new HardState(2, null, 1), []);
        var state = await store.LoadAsync();
        Assert.Equal(new HardState(2, null, 1), state.HardState);
        Assert.Equal(2, state.Entries.Count);

        await store.SaveAsync(null, [Entry(3, 2)]);
        state = await store.LoadAsync();
        Assert.Equal(new HardState(2, null, 1), state.HardState);
        Assert.Equal(3, state.Entries.Count);

        // A write at index 1 replaces the whole log.
        await store.SaveAsync(null, [Entry(1, 5)]);
        Assert.Equal([(1L, 5L)], Positions(await store.LoadAsync()));
    }

    [Fact]
    public async Task A_refused_write_writes_nothing()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        await store.SaveAsync(new HardState(1, null, 0), [Entry(1, 1), Entry(2, 1)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(1, 1, [9]));

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(new HardState(9, "x", 9), [Entry(4, 9)]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(new HardState(9, "x", 9), [Entry(1, 9), Entry(2, 9)]));
        var state = await store.LoadAsync();
        Assert.Equal(new HardState(1, null, 0), state.HardState);
        Assert.Equal([(2L, 1L)], Positions(state));
    }

    [Fact]
    public async Task A_stale_handle_can_neither_snapshot_nor_delete_and_writes_nothing()
    {
        var storage = CreateStorage();
        var old = await storage.OpenAsync("g", "r1");
        await old.SaveMembersAsync(["r1"]);
        await old.SaveAsync(new HardState(1, null, 0), [Entry(1, 1), Entry(2, 1)]);
        var current = await storage.OpenAsync("g", "r1");

        await Assert.ThrowsAsync<StaleEpochException>(() => old.SaveSnapshotAsync(new RaftSnapshot(2, 1, [1])));
        await Assert.ThrowsAsync<StaleEpochException>(() => old.DeleteAsync());
        await Assert.ThrowsAsync<StaleEpochException>(() => old.SaveAsync(null, []));
        // The epoch is checked first: a stale write is refused as stale even when it is also malformed.
        await Assert.ThrowsAsync<StaleEpochException>(() => old.SaveAsync(null, [Entry(9, 1)]));

        var state = await current.LoadAsync();
        Assert.Equal(["r1"], state.Members);
        Assert.Null(state.Snapshot);
        Assert.Equal([(1L, 1L), (2, 1)], Positions(state));
        // Reading through a stale handle is allowed.
        Assert.Equal(2, (await old.LoadAsync()).Entries.Count);
    }

    [Fact]
    public async Task An_older_snapshot_is_ignored()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        await store.SaveAsync(null, [Entry(1, 1), Entry(2, 1), Entry(3, 1)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 1, [2]));
        await store.SaveSnapshotAsync(new RaftSnapshot(1, 1, [1]));
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 7, [7]));
        var state = await store.LoadAsync();
        Assert.Equal((2L, 1L, (byte)2), (state.Snapshot!.Index, state.Snapshot.Term, state.Snapshot.Data[0]));
        Assert.Equal([3L], state.Entries.Select(e => e.Index));
    }

    [Fact]
    public async Task A_snapshot_at_the_end_of_the_log_keeps_the_log_continuing_it()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        await store.SaveAsync(null, [Entry(1, 1), Entry(2, 2)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 2, [1]));
        Assert.Empty((await store.LoadAsync()).Entries);
        await store.SaveAsync(null, [Entry(3, 2)]);

        // A snapshot whose term differs from the entry at its index does not continue the log: all of it goes.
        await store.SaveAsync(null, [Entry(4, 2), Entry(5, 2)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(4, 3, [2]));
        var state = await store.LoadAsync();
        Assert.Empty(state.Entries);
        Assert.Equal((4L, 3L), (state.Snapshot!.Index, state.Snapshot.Term));

        // A snapshot past the end of the log drops it too.
        await store.SaveAsync(null, [Entry(5, 3)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(9, 3, [3]));
        state = await store.LoadAsync();
        Assert.Empty(state.Entries);
        Assert.Equal(9, state.Snapshot!.Index);
        await store.SaveAsync(null, [Entry(10, 3)]);
        Assert.Equal([10L], (await store.LoadAsync()).Entries.Select(e => e.Index));
    }

    [Fact]
    public async Task A_snapshot_with_a_negative_index_is_refused()
    {
        var store = await CreateStorage().OpenAsync("g", "r1");
        await store.SaveAsync(null, [Entry(1, 1)]);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SaveSnapshotAsync(new RaftSnapshot(-1, 1, [])));
        var state = await store.LoadAsync();
        Assert.Null(state.Snapshot);
        Assert.Single(state.Entries);
    }

    [Fact]
    public async Task Deleting_forgets_the_replica_and_fences_every_handle()
    {
        var storage = CreateStorage();
        var old = await storage.OpenAsync("g", "r1");
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveMembersAsync(["r1", "r2"]);
        await store.SaveAsync(new HardState(4, "r2", 2), [Entry(1, 1), Entry(2, 1), Entry(3, 4)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 1, [5]));
        var neighbour = await storage.OpenAsync("g", "r2");
        await neighbour.SaveAsync(new HardState(4, null, 0), [Entry(1, 1)]);

        await store.DeleteAsync();
        await Assert.ThrowsAsync<StaleEpochException>(() => store.SaveAsync(null, [Entry(4, 4)]));
        await Assert.ThrowsAsync<StaleEpochException>(() => store.SaveMembersAsync(["r1"]));
        await Assert.ThrowsAsync<StaleEpochException>(() => store.DeleteAsync());
        await Assert.ThrowsAsync<StaleEpochException>(() => old.SaveAsync(null, [Entry(1, 1)]));

        var reborn = await storage.OpenAsync("g", "r1");
        var state = await reborn.LoadAsync();
        Assert.False(state.IsConfigured);
        Assert.Equal(HardState.Empty, state.HardState);
        Assert.Empty(state.Entries);
        Assert.Null(state.Snapshot);
        await reborn.SaveAsync(new HardState(1, null, 0), [Entry(1, 1)]);
        Assert.Single((await reborn.LoadAsync()).Entries);
        await Assert.ThrowsAsync<StaleEpochException>(() => store.SaveAsync(null, [Entry(2, 1)]));

        Assert.Single((await neighbour.LoadAsync()).Entries);
    }
}

public sealed class InMemoryRaftStorageContractTests : RaftStorageContractTests
{
    protected override IRaftStorage CreateStorage() => new InMemoryRaftStorage();
}

public sealed class SqliteRaftStorageContractTests : RaftStorageContractTests
{
    protected override IRaftStorage CreateStorage()
    {
        var directory = Own(new TempDirectory());
        return Own(new SqliteRaftStorage(new SqliteRaftStorageOptions { DataDirectory = directory.Path }));
    }
}
