using Microsoft.Extensions.Logging;
using Orleans.Raft.Bench;

namespace Orleans.Raft.Integration.Tests;

/// <summary>The in-process cluster's log filter: Orleans' own errors are silenced only while the cluster stops.</summary>
public sealed class ShutdownLogFilterTests
{
    private const string Runtime = "Orleans.Runtime.Catalog";

    [Fact]
    public void While_running_every_category_at_or_above_the_minimum_passes()
    {
        var filter = new ShutdownLogFilter(LogLevel.Error);
        Assert.True(filter.Allows(Runtime, LogLevel.Error));
        Assert.True(filter.Allows("Orleans.Raft.Grains.RaftReplicaGrain", LogLevel.Critical));
        Assert.True(filter.Allows(null, LogLevel.Error));
        Assert.False(filter.Allows(Runtime, LogLevel.Warning));
        Assert.False(filter.Allows("Orleans.Raft.Grains.RaftReplicaGrain", LogLevel.Information));
    }

    [Fact]
    public void Once_stopping_Orleans_runtime_categories_are_silent_and_the_rest_still_pass()
    {
        var filter = new ShutdownLogFilter(LogLevel.Information);
        filter.Stopping();
        Assert.False(filter.Allows(Runtime, LogLevel.Error));
        Assert.False(filter.Allows("Orleans.Runtime.Messaging.MessageCenter", LogLevel.Critical));
        Assert.True(filter.Allows("Orleans.Raft.Grains.RaftReplicaGrain", LogLevel.Error));
        Assert.True(filter.Allows("Orleans.Raft.Bench", LogLevel.Information));
        Assert.True(filter.Allows("Microsoft.Hosting.Lifetime", LogLevel.Information));
        Assert.True(filter.Allows(null, LogLevel.Error));
        Assert.False(filter.Allows("Microsoft.Hosting.Lifetime", LogLevel.Debug));
    }
}
