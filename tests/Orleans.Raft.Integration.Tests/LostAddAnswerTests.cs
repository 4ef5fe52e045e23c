using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Integration.Tests;

/// <summary>A membership add whose answer from the leader is lost after the learner was added.</summary>
public sealed class LostAddAnswerTests
{
    // Found by the real-node nemesis: the retry was told "already a learner", taken for a refusal, and the new replica
    // retired, leaving a learner in the configuration with no replica behind it, never promoted and never removed.
    [Fact]
    public async Task An_add_whose_answer_was_lost_keeps_the_learner_it_added_and_sees_it_promoted()
    {
        var filter = new LoseFirstAddAnswer();
        using var host = await InProcessSilo.StartAsync(new InMemoryRaftStorage(), "lost-add", silo => silo.AddIncomingGrainCallFilter(filter));
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var group = await RaftGroup.StartAsync(grains, size: 3, prefix: "lostadd");
            await group.WaitForLeaderAsync();
            Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("before", "1")).Status);
            var membership = grains.GetGrain<IRaftMembershipGrain>(group.Name);

            var steps = await membership.Add(null);

            Assert.Equal(1, filter.Lost);
            Assert.Contains("added r4 as a learner by an earlier attempt whose answer was lost", steps);
            Assert.Contains("r4 caught up and was promoted to voter", steps);
            var members = await membership.List();
            Assert.Contains(members.Members, m => m.Replica == "r4" && m.Role == MemberRole.Voter && m.Live);
            Assert.True((await group.Replica("r4").GetStatus()).HasStoredState, "r4 has no stored state");
            Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("after", "2")).Status);
            await RaftGroup.WaitForAsync(async () => await group.Replica("r4").ReadLocal("after") == "2" ? "" : null, "r4 to apply a write made after it joined");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>Lets the leader add the first learner, then answers as a leader that lost its leadership meanwhile.</summary>
    private sealed class LoseFirstAddAnswer : IIncomingGrainCallFilter
    {
        private int _lost;

        public int Lost => _lost;

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            await context.Invoke();
            if (context.MethodName != nameof(IRaftReplicaGrain.ChangeMembership)
                || context.Request.GetArgument(0) is not MembershipChange { Kind: MembershipChangeKind.AddLearner }
                || context.Result is not KvResponse { Status: KvStatus.Ok } answer
                || Interlocked.CompareExchange(ref _lost, 1, 0) != 0)
                return;
            context.Result = KvResponse.Failure(KvStatus.Unavailable, "leadership lost; the request may or may not take effect", answer.ServedBy);
        }
    }
}
