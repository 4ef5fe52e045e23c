using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

/// <summary>
/// Membership changes at the level of one node (the transcripts conf-*.txt and transfer*.txt tell them as a group):
/// the configuration's encoding, what a node rebuilds at restart, and who counts in an election.
/// </summary>
public sealed class MembershipTests
{
    private static GroupConfiguration Voters(params string[] ids) => new(ids.Select(id => new GroupMember(id, $"node-{id}")));

    private static LogEntry ConfEntry(long index, long term, GroupConfiguration configuration) =>
        new(index, term, LogEntryType.ConfigChange, configuration.Encode());

    [Fact]
    public void A_configuration_round_trips_through_its_encoding_and_corrupt_bytes_are_refused()
    {
        var configuration = new GroupConfiguration([new("n1", "node-1"), new("n2", "")], [new("n3", "nœud-3")]);

        var decoded = GroupConfiguration.Decode(configuration.Encode());

        Assert.Equal(configuration, decoded);
        Assert.Equal(["n1", "n2"], decoded.VoterIds);
        Assert.Equal("nœud-3", decoded.Find("n3")!.Node);
        var bytes = configuration.Encode();
        Assert.Throws<InvalidDataException>(() => GroupConfiguration.Decode(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<InvalidDataException>(() => GroupConfiguration.Decode([.. bytes, 0]));
        Assert.Throws<InvalidDataException>(() => GroupConfiguration.Decode([99, .. bytes[1..]]));
        Assert.Throws<InvalidDataException>(() => GroupConfiguration.Decode([]));
    }

    [Fact]
    public void Single_server_changes_apply_to_a_configuration_and_invalid_ones_say_why()
    {
        var three = Voters("n1", "n2", "n3");

        var withLearner = three.TryApply(ConfigChange.AddLearner("n4", "node-n4"), out _)!;
        Assert.Equal(["n4"], withLearner.LearnerIds);
        Assert.Equal(2, withLearner.Quorum); // learners do not count
        var promoted = withLearner.TryApply(ConfigChange.Promote("n4"), out _)!;
        Assert.Equal(["n1", "n2", "n3", "n4"], promoted.VoterIds);
        Assert.Equal(3, promoted.Quorum);
        Assert.Equal("node-n4", promoted.Find("n4")!.Node);
        Assert.Equal(["n1", "n3", "n4"], promoted.TryApply(ConfigChange.Remove("n2"), out _)!.VoterIds);

        Assert.Null(three.TryApply(ConfigChange.AddVoter("n2"), out var duplicate));
        Assert.Contains("already a voter", duplicate);
        Assert.Null(three.TryApply(ConfigChange.Promote("n2"), out _));
        Assert.Null(three.TryApply(ConfigChange.Remove("n9"), out var unknown));
        Assert.Contains("not a member", unknown);
        Assert.Null(Voters("n1").TryApply(ConfigChange.Remove("n1"), out var last));
        Assert.Contains("no voter", last);
    }

    [Fact]
    public void A_restart_puts_in_force_the_latest_committed_change_and_not_an_uncommitted_one()
    {
        var removeN3 = Voters("n1", "n2");
        var addN4 = new GroupConfiguration(removeN3.Voters, [new("n4", "node-n4")]);
        LogEntry[] log = [LogEntry.NoOp(1, 1), ConfEntry(2, 1, removeN3), ConfEntry(3, 1, addN4)];

        RaftNode Restart(long commit) => new(Raw.Config("n1"), new HardState(1, null, commit), log, new SeededRaftRandom(1));

        Assert.Equal(["n1", "n2", "n3"], Restart(commit: 1).Members); // the bootstrap configuration
        Assert.Equal(removeN3, Restart(commit: 2).Configuration);
        Assert.Equal(addN4, Restart(commit: 3).Configuration);
        Assert.Equal(["n4"], Restart(commit: 3).Learners);
        Assert.Equal(removeN3, Restart(commit: 3).ConfigurationAt(2));
    }

    [Fact]
    public void A_replica_removed_from_the_configuration_never_campaigns_even_after_a_restart()
    {
        LogEntry[] log = [LogEntry.NoOp(1, 1), ConfEntry(2, 1, Voters("n1", "n2"))];
        var removed = new RaftNode(Raw.Config("n3"), new HardState(1, null, 2), log, new SeededRaftRandom(1));

        for (var i = 0; i < 100; i++) removed.Tick();
        removed.Campaign(force: true);

        Assert.Equal(RaftRole.Follower, removed.Role);
        Assert.Equal(1, removed.CurrentTerm);
        Assert.Empty(Raw.Drain(removed));
    }

    [Fact]
    public void A_candidate_asks_only_voters_and_a_learner_granting_its_vote_does_not_count()
    {
        var config = Raw.Config("n1") with { Learners = ["n4"] };
        var candidate = Raw.Node("n1", config: config);

        candidate.Campaign(force: false);
        Assert.Equal(["n2", "n3"], Raw.Drain(candidate).Select(m => m.To).Order());

        candidate.Step(new RaftMessage { Type = MessageType.RequestVoteResponse, From = "n4", To = "n1", Term = 1 });
        Assert.Equal(RaftRole.Candidate, candidate.Role); // itself and a learner: not two voters of three

        candidate.Step(new RaftMessage { Type = MessageType.RequestVoteResponse, From = "n2", To = "n1", Term = 1 });
        Assert.Equal(RaftRole.Leader, candidate.Role);
        Assert.True(candidate.Status().Progress["n4"].IsLearner);
        Assert.False(candidate.Status().Progress["n2"].IsLearner);
    }

    [Fact]
    public void TimeoutNow_makes_a_voter_campaign_at_once_skipping_pre_vote_and_a_learner_ignore_it()
    {
        var config = Raw.Config("n2", preVote: true, checkQuorum: true) with { Learners = ["n4"] };
        var voter = Raw.Node("n2", term: 1, logTerms: [1], config: config);
        var learner = Raw.Node("n4", term: 1, logTerms: [1], config: config with { Id = "n4" });

        voter.Step(new RaftMessage { Type = MessageType.TimeoutNow, From = "n1", To = "n2", Term = 1 });
        learner.Step(new RaftMessage { Type = MessageType.TimeoutNow, From = "n1", To = "n4", Term = 1 });

        Assert.Equal(RaftRole.Candidate, voter.Role);
        Assert.Equal(2, voter.CurrentTerm);
        var requests = Raw.Drain(voter);
        Assert.All(requests, m => Assert.True(m is { Type: MessageType.RequestVote, Force: true }));
        Assert.Equal(["n1", "n3"], requests.Select(m => m.To).Order());
        Assert.Equal(RaftRole.Follower, learner.Role);
        Assert.Empty(Raw.Drain(learner));
    }

    [Fact]
    public void A_leader_reports_a_new_learner_catching_up_and_the_shell_promotes_it()
    {
        var cluster = new SimulatedCluster(4, seed: 3, voters: 3);
        var checker = new SafetyChecker(cluster);
        Assert.True(cluster.RunUntil(() => cluster.StableLeader() is not null, 200));
        var leader = cluster.StableLeader()!;
        for (var i = 0; i < 5; i++) Assert.True(cluster.Propose(leader.Id, Commands.Set($"k{i}", "v", i + 1)).Accepted);
        Assert.True(cluster.RunUntil(() => leader.Raft.CommitIndex == leader.Raft.Log.LastIndex, 50));

        Assert.True(cluster.ProposeConfigChange(leader.Id, ConfigChange.AddLearner("n4", "node-4")).Accepted);
        cluster.Join("n4");
        Assert.True(cluster.RunUntil(() => leader.Raft.Status().Progress.TryGetValue("n4", out var p) && p.MatchIndex == leader.Raft.Log.LastIndex, 50));
        checker.Check();

        var status = leader.Raft.Status();
        Assert.True(status.Progress["n4"].IsLearner);
        Assert.Equal(["n4"], status.Configuration.LearnerIds);
        Assert.Equal("node-4", status.Configuration.Find("n4")!.Node);
        Assert.True(cluster.ProposeConfigChange(leader.Id, ConfigChange.Promote("n4")).Accepted);
        Assert.True(cluster.RunUntil(() => cluster.Nodes.All(n => n.Raft.Configuration.IsVoter("n4")), 50));
        checker.Check();
        Assert.Equal(3, leader.Raft.Quorum);
        Assert.Equal(5, cluster["n4"].StateMachine.Data.Count);
    }
}
