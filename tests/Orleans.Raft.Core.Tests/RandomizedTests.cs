using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Raft.Core.Tests.Harness;
using Xunit.Abstractions;

namespace Orleans.Raft.Core.Tests;

/// <summary>
/// Seeded chaos schedules checked against Raft's safety properties after every step.
/// RAFT_SEED=n replays one seed; RAFT_SCHEDULES=n sets how many seeds run (default 1000); RAFT_FIRST_SEED=n
/// shifts the range, so long opt-in runs can cover new ground.
/// </summary>
public sealed class RandomizedTests(ITestOutputHelper output)
{
    [Fact]
    public void Seeded_schedules_keep_every_safety_property_and_converge()
    {
        if (EnvInt("RAFT_SEED") is { } only)
        {
            RandomSchedule.Run(only, EnvInt("RAFT_STEPS") ?? RandomSchedule.DefaultSteps);
            return;
        }
        var count = EnvInt("RAFT_SCHEDULES") ?? 1000;
        var first = EnvInt("RAFT_FIRST_SEED") ?? 1;
        var steps = EnvInt("RAFT_STEPS") ?? RandomSchedule.DefaultSteps;
        var stats = new RandomSchedule.Stats?[count];
        var failures = new ConcurrentBag<(int Seed, string Message)>();
        // Schedules are independent and each is single-threaded and deterministic, so they can run side by side.
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                stats[i] = RandomSchedule.Run(first + i, steps);
            }
            catch (Exception e)
            {
                failures.Add((first + i, e.Message));
            }
        });
        if (!failures.IsEmpty)
        {
            var seeds = failures.Select(f => f.Seed).Order().ToList();
            Assert.Fail($"{seeds.Count} of {count} schedules failed (replay one with RAFT_SEED=<seed>): seeds {string.Join(", ", seeds.Take(20))}"
                + $"{Environment.NewLine}first failure: {failures.MinBy(f => f.Seed).Message}");
        }

        // The schedules must actually exercise failover and replication, not idle.
        var done = stats.Select(s => s!).ToList();
        output.WriteLine($"{count} schedules: committed {done.Sum(s => s.Committed)}, leader terms {done.Sum(s => s.Terms)}, restarts {done.Sum(s => s.Crashes)}, applied {done.Sum(s => s.Applied)}, compactions {done.Sum(s => s.Compactions)}, snapshot restores {done.Sum(s => s.Restores)} in {done.Count(s => s.Restores > 0)} schedules, "
            + $"membership changes and transfers accepted {done.Sum(s => s.MembershipChanges)}, configuration changes committed {done.Sum(s => s.CommittedChanges)} in {done.Count(s => s.CommittedChanges > 0)} schedules, "
            + $"quiescences {done.Sum(s => s.Quiescences)} in {done.Count(s => s.Quiescences > 0)} schedules, "
            + $"reads released {done.Sum(s => s.ReadsReleased)} in {done.Count(s => s.ReadsReleased > 0)} schedules");
        Assert.True(done.Average(s => s.Committed) >= 5, "schedules commit too little to mean anything");
        Assert.True(done.Average(s => s.Terms) >= 2, "schedules rarely change leader");
        Assert.True(done.Count(s => s.Crashes > 0) >= count / 2, "schedules rarely crash nodes");
        Assert.True(done.Count(s => s.Compactions > 0) >= count / 2, "schedules rarely compact");
        Assert.True(done.Count(s => s.Restores > 0) >= count / 10, "schedules rarely install a snapshot from a leader");
        Assert.True(done.Count(s => s.CommittedChanges > 0) >= count / 4, "schedules rarely commit a membership change");
        Assert.True(done.Count(s => s.Quiescences > 0) >= count / 8, "schedules rarely quiesce");
        Assert.True(done.Count(s => s.ReadsReleased > 0) >= count / 8, "schedules rarely release a read");
    }

    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    public void A_seed_replays_exactly(int seed)
    {
        var first = RandomSchedule.Run(seed);
        var second = RandomSchedule.Run(seed);

        Assert.Equal(first, second);
        Assert.Equal(first.Fingerprint, second.Fingerprint);
    }

    /// <summary>
    /// Seeds that once failed, replayed on every run (they name schedules of the current generator: if it changes,
    /// re-find them). 16 and 35: a lone node whose in-flight Ready is lost in a crash, which once tripped the checker.
    /// 243360: two nodes without pre-vote, where the stale one kept winning the timeout race for many rounds.
    /// 3197: the final proposal lost to another leader's entry at its index, which every node then compacted.
    /// Membership: 378, a joining replica's snapshot before any change must carry the group's bootstrap configuration;
    /// 1356, a removal still pending when the final write began; 2493, a removed leader that kept appending after
    /// proposing its removal, so the remaining voter, which never learned the commit, could not win its vote.
    /// </summary>
    [Theory]
    [InlineData(16)]
    [InlineData(35)]
    [InlineData(243360)]
    [InlineData(3197)]
    [InlineData(378)]
    [InlineData(1356)]
    [InlineData(2493)]
    public void Regression_seeds(int seed) => RandomSchedule.Run(seed);

    private static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
}
