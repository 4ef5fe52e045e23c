using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Raft.ClientApp;
using Orleans.Raft.Hosting;
using Orleans.Raft.TestSupport.Processes;

namespace Orleans.Raft.Integration.Tests.MultiNode;

/// <summary>
/// Four nodes (silo processes with their own SQLite disks, clustered through a real redis-server), the group on the
/// first three and the fourth spare, with self-repair after 2 s: what becomes of a replica whose node comes back after
/// the group replaced it, and of one that was only cut off and is still a member.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class StaleReplicaTests : IAsyncLifetime
{
    private const string Group = "default";
    private static readonly string[] Nodes = ["n1", "n2", "n3", "n4"];
    private static readonly string[] InitialNodes = ["n1", "n2", "n3"];
    private readonly string _data = Directory.CreateTempSubdirectory("orleans-raft-stale-").FullName;
    private readonly Dictionary<string, SiloProcess> _nodes = [];
    private RedisServer _redis = null!;
    private IHost _client = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        var starts = Nodes.Select(n => SiloProcess.StartAsync(n,
        [
            "--cluster", "Redis", "--cluster-connection", _redis.ConnectionString,
            "--node", n, "--initial-nodes", string.Join(",", InitialNodes), "--groups", "1", "--data", Path.Combine(_data, n),
            "--Raft:ReplaceDeadNodeAfter", "00:00:02", "--Raft:EnableFaultInjection", "true",
        ])).ToArray();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            foreach (var s in starts.Where(s => s.IsCompletedSuccessfully)) _nodes[s.Result.Name] = s.Result;
        }
        _client = await ClusterConnection.ConnectAsync(new GatewayList([.. _nodes.Values.Select(n => new GatewayEndpoint("127.0.0.1", n.GatewayPort))]), verbose: false);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        foreach (var node in _nodes.Values) await node.DisposeAsync();
        _redis?.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private IClusterClient Client => _client.Services.GetRequiredService<IClusterClient>();

    private IKeyValueGatewayGrain Gateway => Client.GetGrain<IKeyValueGatewayGrain>(Group);

    private IRaftMembershipGrain Membership => Client.GetGrain<IRaftMembershipGrain>(Group);

    private IRaftReplicaGrain Replica(string member) => Client.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(Group, member));

    /// <summary>Tries until it works: calls through a gateway that just died fail until the client moves on.</summary>
    private static Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class =>
        RaftGroup.WaitForAsync(async () =>
        {
            try
            {
                return await probe();
            }
            catch (Exception ex) when (ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
                or Orleans.Runtime.Messaging.ConnectionFailedException or OrleansException)
            {
                return null;
            }
        }, what);

    private Task<ReplicaStatus> LeaderAsync() => EventuallyAsync(async () =>
        (await Gateway.GetStatus()).Where(s => s.IsLive && s.Role == ReplicaRole.Leader).MaxBy(s => s.CurrentTerm), "a leader");

    /// <summary>The group's configuration at its leader, once no change is pending, every member live and a voter.</summary>
    private Task<MemberList> SettledMembersAsync(Func<MemberList, bool> condition, string what) => EventuallyAsync(async () =>
    {
        var list = await Membership.List();
        return list.Leader is not null && !list.ChangePending && list.Members.All(m => m.Live && m.Role == MemberRole.Voter) && condition(list) ? list : null;
    }, what);

    private static int Count(SiloProcess node, string line) => Matches(node, Regex.Escape(line));

    private static int Matches(SiloProcess node, string pattern) => Regex.Count(File.ReadAllText(node.LogPath), pattern);

    [Fact]
    public async Task A_replica_replaced_while_its_node_was_dead_retires_when_the_node_returns_and_is_never_started_again()
    {
        var leader = await LeaderAsync();
        var home = (await Gateway.GetStatus()).ToDictionary(s => s.Replica, s => s.Node!);
        Assert.Equal(new Dictionary<string, string> { ["r1"] = "n1", ["r2"] = "n2", ["r3"] = "n3" }, home);
        var stale = home.Keys.Order(StringComparer.Ordinal).First(r => r != leader.Replica);
        var victim = _nodes[home[stale]];
        var staleMember = ReplicaKey.Member(stale, victim.Name);
        await using var load = WriteLoad.Start(Gateway);
        await load.WaitForMoreAsync(20);

        // kill -9: the group replaces the replica on the spare node n4 once its node has been dead for 2 s.
        victim.Kill();
        var repaired = await SettledMembersAsync(l => l.Members.Length == 3 && l.Members.All(m => m.Node != victim.Name), $"{stale} to be replaced");
        Assert.Equal("n4", repaired.Members.Single(m => !home.ContainsKey(m.Replica)).Node);
        await load.WaitForMoreAsync(20);

        // Back from its own disk, the stale replica starts with its old configuration, hears it was removed, and retires.
        var started = $"Raft group {Group}: replica {staleMember} started from this node's disk";
        var retired = $"{Group}/{stale}: retired after its removal from the group";
        await victim.RestartAsync();
        await RaftGroup.WaitForAsync(() => Task.FromResult(Count(victim, started) == 1 ? "" : null), $"{stale} to start from {victim.Name}'s disk");
        await RaftGroup.WaitForAsync(() => Task.FromResult(Count(victim, retired) > 0 ? "" : null), $"{stale} to retire on {victim.Name}");
        var gone = await EventuallyAsync(async () => await Replica(staleMember).GetStatus() is { Running: false } s ? s : null, $"the status of {stale}");
        Assert.False(gone.HasStoredState);
        Assert.Contains("retired after its removal", gone.Error);
        var members = await SettledMembersAsync(l => l.Members.Length == 3, "the configuration");
        Assert.DoesNotContain(members.Members, m => m.Replica == stale);
        Assert.Contains(staleMember, (await LeaderAsync()).RemovedReplicas);
        Assert.DoesNotContain(await EventuallyAsync(() => Gateway.GetStatus()!, "the status"), s => s.Replica == stale);

        // The group kept serving, and lost no acknowledged write.
        await load.WaitForMoreAsync(20);
        await load.StopAsync();
        await load.AssertNoneLostAsync(Gateway);

        // Its node's disk no longer holds it: another restart does not start it, and the node knows why.
        var notCreated = $"Raft group {Group}: replica {stale} of node {victim.Name} was removed from the group";
        await victim.RestartAsync();
        await RaftGroup.WaitForAsync(() => Task.FromResult(Count(victim, notCreated) > 0 ? "" : null), $"{victim.Name} to see that {stale} was removed");
        Assert.Equal(1, Count(victim, started));
        Assert.Equal(1, Count(victim, retired));
        Assert.Equal(0, Count(victim, "stays down rather than start with amnesia"));
        var after = await EventuallyAsync(async () => await Replica(staleMember).GetStatus(), $"the status of {stale}");
        Assert.False(after.Running);
        Assert.False(after.HasStoredState);
    }

    [Fact]
    public async Task A_replica_cut_off_while_the_group_changed_around_it_is_still_a_member_and_is_never_retired()
    {
        var leader = await LeaderAsync();
        var home = (await Gateway.GetStatus()).ToDictionary(s => s.Replica, s => s.Node!);
        var followers = new[] { "r1", "r2", "r3" }.Where(r => r != leader.Replica).ToArray();
        var (cut, removed) = (followers[0], followers[1]);
        var faults = Client.GetGrain<IFaultControlGrain>("cluster");
        await using var load = WriteLoad.Start(Gateway);
        await load.WaitForMoreAsync(10);

        // Cut off (its node stays up, so self-repair leaves it be): meanwhile a new replica joins and leads, and
        // another is removed, so the group has a removed replica and a member the cut-off one has never heard of.
        await faults.Split(Group, "p", [cut]);
        await Membership.Add("n4");
        await Membership.Remove(removed);
        // A transfer may not finish within an election timeout on a loaded machine; the step, not the property, is retried.
        await RaftGroup.WaitForAsync(async () =>
        {
            try
            {
                await Membership.TransferLeadership("r4");
                return (await LeaderAsync()).Replica == "r4" ? "" : null;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                return null;
            }
        }, "r4 to lead");
        await load.WaitForMoreAsync(10);

        // Stopped and started again while cut off, then healed: it catches up from the new leader, which it did not know.
        await faults.StopReplica(Group, cut);
        await faults.StartReplica(Group, cut, []);
        await faults.Heal(Group);
        var caughtUp = await EventuallyAsync(async () =>
        {
            var all = await Gateway.GetStatus();
            var top = all.Where(s => s.IsLive && s.Role == ReplicaRole.Leader).MaxBy(s => s.CurrentTerm);
            var back = all.SingleOrDefault(s => s.Replica == cut);
            return top is not null && back is { IsLive: true, Membership: MemberRole.Voter } && back.LastApplied >= top.CommitIndex
                && back.Members.Any(m => ReplicaKey.NameOf(m) == "r4") ? back : null;
        }, $"{cut} to catch up");
        Assert.True(caughtUp.HasStoredState);
        Assert.Equal([ReplicaKey.Member(removed, home[removed])], caughtUp.RemovedReplicas);

        var members = await SettledMembersAsync(l => l.Members.Length == 3, "the configuration");
        Assert.Equal(new[] { cut, leader.Replica, "r4" }.Order(StringComparer.Ordinal), members.Members.Select(m => m.Replica).Order(StringComparer.Ordinal));
        await load.WaitForMoreAsync(10);
        await load.StopAsync();
        await load.AssertNoneLostAsync(Gateway);

        // It was never told it was removed, and never retired; the removed one was, and did.
        foreach (var node in _nodes.Values)
        {
            foreach (var member in new[] { cut, "r4", leader.Replica })
            {
                Assert.Equal(0, Count(node, $"{Group}/{member}: retired"));
                Assert.Equal(0, Matches(node, $@"{Group}/{member}: r\d+ says this replica was removed"));
            }
        }
        var gone = await EventuallyAsync(async () => await Replica(ReplicaKey.Member(removed, home[removed])).GetStatus() is { Running: false } s ? s : null, $"{removed} to stop");
        Assert.False(gone.HasStoredState);
    }
}
