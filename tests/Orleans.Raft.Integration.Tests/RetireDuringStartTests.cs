using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Integration.Tests;

/// <summary>A node's boot starts each replica its disk holds; one of them may be told it was removed at that moment.</summary>
public sealed class RetireDuringStartTests
{
    // Found by the real-node nemesis: a boot's start from disk ran on while the replica retired, and failed the node's
    // start. Here it is held at the moment the retirement deletes the storage, deterministically.
    [Fact]
    public async Task A_start_from_disk_while_the_replica_retires_does_nothing_and_leaves_no_keep_alive_behind()
    {
        var storage = new GatedDeleteStorage(new InMemoryRaftStorage());
        using var host = await InProcessSilo.StartAsync(storage, "retire");
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var group = await RaftGroup.StartAsync(grains, size: 3, prefix: "retire");
            await group.WaitForLeaderAsync();
            Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k", "v")).Status);
            var replica = group.Replica("r3");
            var reminders = host.Services.GetRequiredService<IReminderTable>();
            var grainId = replica.GetGrainId();
            Assert.Contains((await reminders.ReadRows(grainId)).Reminders, r => r.ReminderName == "raft-keepalive");

            // The retirement has stopped the replica and dropped its keep-alive, and waits on the storage's delete.
            storage.Gate(group.Name, "r3");
            var retiring = replica.Retire();
            await storage.DeleteEntered.WaitAsync(RaftGroup.Patience);

            // The boot's start from disk comes now: it must neither fail nor bring anything of the replica back.
            await replica.Start([]).WaitAsync(RaftGroup.Patience);
            storage.Release();
            await retiring.WaitAsync(RaftGroup.Patience);

            Assert.DoesNotContain((await reminders.ReadRows(grainId)).Reminders, r => r.ReminderName == "raft-keepalive");
            var status = await replica.GetStatus();
            Assert.False(status.Running, "the retired replica runs");
            Assert.False(status.HasStoredState, "the retired replica still has stored state");
            Assert.Equal("v", (await group.Gateway.Get("k")).Value);
        }
        finally
        {
            storage.Release();
            await host.StopAsync();
        }
    }



    /// <summary>Holds one replica's storage delete until released.</summary>
    private sealed class GatedDeleteStorage(IRaftStorage inner) : IRaftStorage
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private (string Group, string Replica)? _gated;

        public Task DeleteEntered => _entered.Task;

        public void Gate(string group, string replica) => _gated = (group, replica);

        public void Release() => _released.TrySetResult();

        public async Task<IRaftReplicaStore> OpenAsync(string group, string replica, CancellationToken cancellationToken = default) =>
            new Store(this, group, replica, await inner.OpenAsync(group, replica, cancellationToken));

        public Task<IReadOnlyList<StoredReplica>> ListReplicasAsync(CancellationToken cancellationToken = default) => inner.ListReplicasAsync(cancellationToken);

        private sealed class Store(GatedDeleteStorage owner, string group, string replica, IRaftReplicaStore inner) : IRaftReplicaStore
        {
            public long Epoch => inner.Epoch;

            public Task<PersistedReplicaState> LoadAsync(CancellationToken cancellationToken = default) => inner.LoadAsync(cancellationToken);

            public Task SaveMembersAsync(string[] members, CancellationToken cancellationToken = default) => inner.SaveMembersAsync(members, cancellationToken);

            public Task SaveAsync(Consensus.HardState? hardState, IReadOnlyList<Consensus.LogEntry> entries, CancellationToken cancellationToken = default) =>
                inner.SaveAsync(hardState, entries, cancellationToken);

            public Task SaveSnapshotAsync(RaftSnapshot snapshot, int catchUpEntries = 0, CancellationToken cancellationToken = default) =>
                inner.SaveSnapshotAsync(snapshot, catchUpEntries, cancellationToken);

            public async Task DeleteAsync(CancellationToken cancellationToken = default)
            {
                if (owner._gated == (group, replica))
                {
                    owner._entered.TrySetResult();
                    await owner._released.Task;
                }
                await inner.DeleteAsync(cancellationToken);
            }
        }
    }
}
