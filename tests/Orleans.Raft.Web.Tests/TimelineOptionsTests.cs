using Orleans.Raft.Silo;

namespace Orleans.Raft.Web.Tests;

public sealed class TimelineOptionsTests
{
    [Fact]
    public void A_negative_timeline_poll_interval_stops_the_silo_at_start_and_says_why()
    {
        var args = WebSilo.Arguments(out _, "--Web:TimelinePollInterval", "-00:00:01");
        var ex = Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(args));
        Assert.Contains("Web:TimelinePollInterval must be zero (off) or more", ex.Message);
    }
}
