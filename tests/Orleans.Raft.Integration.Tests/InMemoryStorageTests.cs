using Orleans.Raft.Consensus;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Integration.Tests;

public sealed class InMemoryStorageTests
{
    private static LogEntry Entry(long index, long term) => new(index, term, LogEntryType.Command, [(byte)index]);

    [Fact]
    public async Task Saved_state_survives_reopening_and_conflicting_entries_are_replaced()
    {
        var storage = new InMemoryRaftStorage();
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveMembersAsync(["r1", "r2", "r3"]);
        await store.SaveAsync(new HardState(2, "r2", 1), [Entry(1, 1), Entry(2, 1), Entry(3, 2)]);
        await store.SaveAsync(null, [Entry(3, 3), Entry(4, 3)]);

        var reopened = await (await storage.OpenAsync("g", "r1")).LoadAsync();
        Assert.Equal(["r1", "r2", "r3"], reopened.Members);
        Assert.Equal(new HardState(2, "r2", 1), reopened.HardState);
        Assert.Equal([(1L, 1L), (2, 1), (3, 3), (4, 3)], reopened.Entries.Select(e => (e.Index, e.Term)));
    }

    [Fact]
    public async Task A_stale_activation_cannot_write()
    {
        var storage = new InMemoryRaftStorage();
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
        var store = await new InMemoryRaftStorage().OpenAsync("g", "r1");
        await store.SaveAsync(null, [Entry(1, 1)]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(null, [Entry(3, 1)]));
        Assert.Single((await store.LoadAsync()).Entries);
    }

    [Fact]
    public async Task A_snapshot_replaces_the_entries_it_covers()
    {
        var store = await new InMemoryRaftStorage().OpenAsync("g", "r1");
        await store.SaveAsync(null, [Entry(1, 1), Entry(2, 1), Entry(3, 2), Entry(4, 2)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 1, [42]));
        var state = await store.LoadAsync();
        Assert.Equal(2, state.Snapshot!.Index);
        Assert.Equal([3L, 4L], state.Entries.Select(e => e.Index));

        await store.SaveAsync(null, [Entry(4, 3), Entry(5, 3)]);
        Assert.Equal([(3L, 2L), (4, 3), (5, 3)], (await store.LoadAsync()).Entries.Select(e => (e.Index, e.Term)));

        // A snapshot from a leader that the log does not continue drops the whole log.
        await store.SaveSnapshotAsync(new RaftSnapshot(5, 4, [7]));
        state = await store.LoadAsync();
        Assert.Empty(state.Entries);
        Assert.Equal((5L, 4L), (state.Snapshot!.Index, state.Snapshot.Term));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(null, [Entry(5, 4)]));
        await store.SaveAsync(null, [Entry(6, 4)]);
        Assert.Equal([6L], (await store.LoadAsync()).Entries.Select(e => e.Index));
    }
}
