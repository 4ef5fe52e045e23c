namespace Orleans.Raft.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class GroupDirectoryTests(ClusterFixture fixture)
{
    // A gateway on a silo that sees the directory's silo die before the nodes re-register took the fresh, empty
    // directory for an unknown group and refused a client's request (QuiescenceTests' Set after a kill, now and then).
    [Fact]
    public async Task A_fresh_directory_waits_for_the_registration_that_refills_it_instead_of_answering_no_members()
    {
        var directory = fixture.Client.GetGrain<IRaftGroupDirectoryGrain>($"refill-{Guid.NewGuid():N}");
        var asked = directory.GetMembers();
        // The nodes' registration comes a moment after the gateway's ask, well within the directory's refill window.
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        await directory.RegisterConfiguration(["r2", "r1", "r3"], commitIndex: 7);
        Assert.Equal(["r1", "r2", "r3"], await asked);
    }

    [Fact]
    public async Task A_directory_nobody_registers_with_still_answers_no_members_so_an_unknown_group_is_reported()
    {
        var directory = fixture.Client.GetGrain<IRaftGroupDirectoryGrain>($"never-{Guid.NewGuid():N}");
        Assert.Empty(await directory.GetMembers());
        Assert.Empty(await directory.GetMembers());
    }
}
