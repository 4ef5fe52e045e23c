using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.Raft.Faults;
using Orleans.Raft.Hosting;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>Injected faults are expected events: they must not fill the silo's log with warnings and stack traces.</summary>
[Collection(QuietFaultCollection.Name)]
public sealed class QuietFaultTests(QuietFaultFixture fixture)
{
    private IFaultControlGrain Faults => fixture.Client.GetGrain<IFaultControlGrain>(FaultControlGrain.Key);

    [Fact]
    public async Task Dropped_messages_and_a_stopped_replica_log_no_warnings()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k", "v")).Status);

        var before = CapturingLoggerProvider.Records.Count;
        await Faults.SetDropRate(group.Name, 1.0);
        await Faults.StopReplica(group.Name, "r3");
        // Heartbeats are dropped on every tick, and the stopped replica's keep-alive reminder (1 s here) fires a few times.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var faults = await Faults.GetFaults(group.Name);
        await Faults.Heal(group.Name);
        await Faults.StartReplica(group.Name, "r3", [.. group.Members]);

        var noisy = CapturingLoggerProvider.Records.Skip(before)
            .Where(r => r.Level >= LogLevel.Warning && !IsHostStall(r))
            .Select(r => $"{r.Level} {r.Category}: {r.Message}{(r.HasException ? " (with exception)" : "")}")
            .ToList();
        Assert.Equal(1.0, faults.DropRate);
        Assert.Contains("r3", faults.Stopped);
        Assert.True(noisy.Count == 0, $"{noisy.Count} warnings while faults held, e.g.:\n{string.Join("\n", noisy.Take(5))}");
        await group.WaitForConvergenceAsync();
    }

    // A loaded CI machine can stall the thread pool for seconds; Orleans' own health monitor then warns. That is the
    // host, not the fault path.
    private static bool IsHostStall(CapturingLoggerProvider.Record r) =>
        r.Category.StartsWith("Orleans.Runtime.MembershipService.LocalSiloHealthMonitor", StringComparison.Ordinal)
        || r.Category.StartsWith("Orleans.Runtime.AsyncTimer.", StringComparison.Ordinal);
}

public sealed class QuietFaultFixture : ClusterFixture
{
    protected override void ConfigureBuilder(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<CapturingConfigurator>();

    private sealed class CapturingConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.Services.AddSingleton<ILoggerProvider, CapturingLoggerProvider>();
            silo.Services.Configure<RaftOptions>(o => o.ReminderPeriod = TimeSpan.FromSeconds(1));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class QuietFaultCollection : ICollectionFixture<QuietFaultFixture>
{
    public const string Name = "quiet faults";
}

/// <summary>Keeps every log record of the in-process silos, so a test can read what they logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public sealed record Record(LogLevel Level, string Category, string Message, bool HasException);

    private static readonly ConcurrentQueue<Record> Queue = new();

    public static IReadOnlyCollection<Record> Records => Queue;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) Queue.Enqueue(new Record(logLevel, category, formatter(state, exception), exception is not null));
        }
    }
}
