using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;
using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests;

/// <summary>
/// The record of removed replicas in the replicated state (as etcd's membership keeps removed member ids): written on
/// apply of a configuration entry that leaves a member out, kept for good, and carried by snapshots. The shell answers
/// a message from a replica in it with a removed notice, so it must hold exactly the replicas a committed change removed.
/// </summary>
public sealed class RemovedReplicasTests
{
    private static readonly GroupConfiguration Three = new([new("r1", "n1"), new("r2", "n2"), new("r3", "n3")]);

    private static GroupConfiguration After(GroupConfiguration configuration, ConfigChange change) =>
        configuration.TryApply(change, out var error) ?? throw new InvalidOperationException(error);

    [Fact]
    public void A_removal_records_the_replica_and_its_node_and_later_changes_keep_it()
    {
        var sm = new KeyValueStateMachine();
        var withLearner = After(Three, ConfigChange.AddLearner("r4", "n4"));
        var promoted = After(withLearner, ConfigChange.Promote("r4"));
        var removed = After(promoted, ConfigChange.Remove("r3"));
        var withR5 = After(removed, ConfigChange.AddLearner("r5", "n3"));

        Assert.Empty(sm.ApplyConfiguration(1, Three, withLearner));
        Assert.Empty(sm.ApplyConfiguration(2, withLearner, promoted));
        Assert.Equal([new GroupMember("r3", "n3")], sm.ApplyConfiguration(3, promoted, removed));
        Assert.Empty(sm.ApplyConfiguration(4, removed, withR5));

        Assert.Equal(new Dictionary<string, string> { ["r3"] = "n3" }, sm.RemovedReplicas);
        Assert.True(sm.WasRemoved("r3"));
        // A new learner, a voter, and a name never seen: none is removed.
        Assert.False(sm.WasRemoved("r4"));
        Assert.False(sm.WasRemoved("r5"));
        Assert.False(sm.WasRemoved("r1"));
        Assert.False(sm.WasRemoved("r9"));
        Assert.Equal(4, sm.LastAppliedIndex);
    }

    [Fact]
    public void Adding_and_promoting_record_nothing_and_leave_the_state_unchanged()
    {
        var sm = new KeyValueStateMachine();
        var plain = new KeyValueStateMachine();
        var withLearner = After(Three, ConfigChange.AddLearner("r4", "n4"));

        sm.ApplyConfiguration(1, Three, withLearner);
        sm.ApplyConfiguration(2, withLearner, After(withLearner, ConfigChange.Promote("r4")));
        plain.ApplyNoOp(1);
        plain.ApplyNoOp(2);

        Assert.Empty(sm.RemovedReplicas);
        Assert.False(sm.TryGet(KeyValueStateMachine.RemovedReplicasKey, out _));
        Assert.Equal(plain.TakeSnapshot(), sm.TakeSnapshot());
    }

    [Fact]
    public void A_removed_learner_is_recorded_as_a_removed_voter_is()
    {
        var sm = new KeyValueStateMachine();
        var withLearner = After(Three, ConfigChange.AddLearner("r4", "n4"));

        sm.ApplyConfiguration(1, Three, withLearner);
        sm.ApplyConfiguration(2, withLearner, After(withLearner, ConfigChange.Remove("r4")));

        Assert.Equal(new Dictionary<string, string> { ["r4"] = "n4" }, sm.RemovedReplicas);
    }

    [Fact]
    public void A_member_of_the_configuration_in_force_is_never_reported_removed()
    {
        var sm = new KeyValueStateMachine();
        var removed = After(Three, ConfigChange.Remove("r3"));
        sm.ApplyConfiguration(1, Three, removed);
        Assert.True(sm.WasRemoved("r3"));

        // Names are never reused, and the leader refuses to add a removed one; should a configuration hold it all
        // the same, it is a member, and a member is never told it is out.
        sm.ApplyConfiguration(2, removed, After(removed, ConfigChange.AddLearner("r3", "n3")));

        Assert.False(sm.WasRemoved("r3"));
        Assert.Empty(sm.RemovedReplicas);
    }

    [Fact]
    public void The_record_travels_in_snapshots_and_the_same_history_gives_the_same_bytes()
    {
        KeyValueStateMachine Build()
        {
            var sm = new KeyValueStateMachine();
            var noR3 = After(Three, ConfigChange.Remove("r3"));
            sm.ApplyConfiguration(1, Three, noR3);
            sm.Apply(2, new Command(CommandOperation.Set, "k", "v", null));
            sm.ApplyConfiguration(3, noR3, After(noR3, ConfigChange.Remove("r1")));
            return sm;
        }

        var a = Build();
        var b = Build();
        var restored = new KeyValueStateMachine();
        restored.Restore(a.TakeSnapshot());

        Assert.Equal(a.TakeSnapshot(), b.TakeSnapshot());
        Assert.Equal(new Dictionary<string, string> { ["r1"] = "n1", ["r3"] = "n3" }, restored.RemovedReplicas);
        Assert.True(restored.TryGet(KeyValueStateMachine.RemovedReplicasKey, out var recorded));
        Assert.Equal("""{"r1":"n1","r3":"n3"}""", recorded); // in id order, whatever order they were removed in
        Assert.Equal(a.DataBytes, restored.DataBytes);

        // Restoring a snapshot without the record forgets it: the state is the snapshot's, whole.
        restored.Restore(new KeyValueStateMachine().TakeSnapshot());
        Assert.Empty(restored.RemovedReplicas);
    }

    [Fact]
    public void A_configuration_entry_is_applied_once_and_in_order()
    {
        var sm = new KeyValueStateMachine();
        sm.ApplyNoOp(1);

        Assert.Throws<InvalidOperationException>(() => sm.ApplyConfiguration(1, Three, After(Three, ConfigChange.Remove("r3"))));
        Assert.Empty(sm.RemovedReplicas);
    }

    /// <summary>
    /// Through the core: a replica removed while the others compact their logs, and a replica that joins afterwards
    /// from a snapshot, all end with the same record, as a replay of the committed entries gives it (the safety
    /// checker compares every snapshot with one).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_replica_records_the_same_removal_whether_it_applied_the_change_or_restored_a_snapshot(int seed)
    {
        var cluster = new SimulatedCluster(5, seed, voters: 3) { SnapshotEvery = 4 };
        var checker = new SafetyChecker(cluster);
        bool AtLeader(ConfigChange change) => cluster.Nodes.FirstOrDefault(n => n.IsUp && n.Raft.Role == RaftRole.Leader) is { } leader
            && cluster.ProposeConfigChange(leader.Id, change).Accepted;
        void Settle(Func<bool> condition) => Assert.True(cluster.RunUntil(() =>
        {
            checker.Check();
            return condition();
        }, 2000), string.Join("; ", cluster.Nodes));

        Settle(() => cluster.Nodes.Any(n => n.Raft.Role == RaftRole.Leader));
        var victim = cluster.Nodes.First(n => n.Raft.Role != RaftRole.Leader).Id;
        Settle(() => AtLeader(ConfigChange.Remove(victim)));
        for (var i = 0; i < 12; i++)
        {
            var key = $"k{i}";
            Settle(() => cluster.ProposeAtLeader(new Command(CommandOperation.Set, key, "v", null).Encode()).Accepted);
        }
        var spare = cluster.Spares.First();
        Settle(() => AtLeader(ConfigChange.AddLearner(spare, $"node-{spare}")));
        cluster.Join(spare);
        var members = cluster.Ids.Take(3).Where(id => id != victim).Append(spare).ToArray();
        Settle(() => members.All(id => cluster[id].StateMachine.LastAppliedIndex == members.Max(m => cluster[m].Raft.CommitIndex)
            && cluster[id].StateMachine.WasRemoved(victim)));

        Assert.True(cluster[spare].Restores > 0, "the joiner caught up from a snapshot");
        foreach (var id in members)
        {
            Assert.Equal([victim], cluster[id].StateMachine.RemovedReplicas.Keys);
            Assert.False(cluster[id].StateMachine.WasRemoved(spare));
        }
        Assert.True(checker.SnapshotsChecked > 0);
    }
}
