using System.Text.Json;

namespace Orleans.Raft.Web.Tests;

/// <summary>A lone development node keeps one group, named as the store: /api/status lists it as the one entry of its groups.</summary>
public sealed class SingleGroupStatusTests(WebSiloFixture fixture) : IClassFixture<WebSiloFixture>
{
    [Fact]
    public async Task The_groups_array_holds_the_one_group_and_the_top_level_fields_describe_it()
    {
        using var status = await fixture.Silo.StatusAsync();
        var root = status.RootElement;
        var group = Assert.Single(root.GetProperty("groups").EnumerateArray());
        Assert.Equal(fixture.Silo.Group, group.GetProperty("name").GetString());
        Assert.Equal(root.GetProperty("leader").GetString(), group.GetProperty("leader").GetString());
        Assert.Equal("n1", group.GetProperty("leaderNode").GetString());
        Assert.Equal(fixture.Silo.Group, root.GetProperty("group").GetString());
        Assert.Equal(5, root.GetProperty("replicas").GetArrayLength());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("configuration").ValueKind);
        Assert.Equal(1, root.GetProperty("leadersPerNode").GetProperty("n1").GetInt32());
    }
}
