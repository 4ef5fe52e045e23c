namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// The key-to-group map. The expected hashes come from an XXH64 written apart from the library (after the xxHash
/// specification, checked against its published vectors), so a change of hash, seed or encoding fails here.
/// </summary>
public sealed class ShardMapTests
{
    [Theory]
    [InlineData("", 0xef46db3751d8e999UL)]
    [InlineData("abc", 0x44bc2cf5ad770999UL)]
    [InlineData("user:42", 0xdc1fea7da8d2d1c2UL)]
    [InlineData("Nobody inspects the spammish repetition", 0xfbcea83c8a378bf1UL)]
    [InlineData("héllo-ключ-🔑", 0xfe1b159017425562UL)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0x569ea6843111ef03UL)]
    public void A_key_hashes_to_the_XXH64_of_its_UTF8_bytes(string key, ulong expected) => Assert.Equal(expected, ShardMap.Hash(key));

    [Theory]
    [InlineData("abc", 16, "default-9")]
    [InlineData("abc", 12, "default-9")]
    [InlineData("user:42", 16, "default-2")]
    [InlineData("héllo-ключ-🔑", 12, "default-10")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 12, "default-7")]
    public void A_fixed_key_maps_to_a_known_group(string key, int groups, string group) => Assert.Equal(group, new ShardMap("default", groups).GroupOf(key));

    [Fact]
    public void One_group_is_the_store_itself_and_several_are_numbered()
    {
        var one = new ShardMap("default", 1);
        Assert.Equal(["default"], one.Groups);
        Assert.Equal("default", one.GroupOf("anything"));
        Assert.True(one.Contains("default"));
        Assert.False(one.Contains("default-0"));

        var four = new ShardMap("kv", 4);
        Assert.Equal(["kv-0", "kv-1", "kv-2", "kv-3"], four.Groups);
        Assert.Equal(2, four.IndexOf("kv-2"));
        foreach (var other in new[] { "kv", "kv-4", "kv-02", "kv-", "kv-x", "kv2", "other-1" }) Assert.Equal(-1, four.IndexOf(other));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardMap("kv", 0));
    }

    [Fact]
    public void Ten_thousand_keys_spread_over_16_groups_within_five_standard_deviations_of_an_even_share()
    {
        const int Keys = 10_000, Groups = 16;
        var map = new ShardMap("default", Groups);
        var counts = new int[Groups];
        for (var i = 0; i < Keys; i++) counts[map.GroupIndexOf($"user:{i}")]++;

        // Under a uniform hash each group's count is Binomial(n, 1/G): mean n/G, variance n(1/G)(1-1/G). Five standard
        // deviations either side leaves a uniform hash a chance below 1e-5 of failing any of the 16 groups.
        const double P = 1.0 / Groups;
        var mean = Keys * P;
        var sd = Math.Sqrt(Keys * P * (1 - P));
        Assert.All(counts, c => Assert.InRange(c, mean - 5 * sd, mean + 5 * sd));
    }

    [Theory]
    [InlineData("{user42}.name", "user42")]
    [InlineData("{user42}.mail", "user42")]
    [InlineData("cart:{user42}", "user42")]
    [InlineData("x{a}{b}", "a")]
    [InlineData("}{a}", "a")]
    [InlineData("{}x", "{}x")]
    [InlineData("a{b", "a{b")]
    [InlineData("plain", "plain")]
    public void A_hash_tag_hashes_only_what_is_inside_the_first_braces(string key, string hashed)
    {
        Assert.Equal(hashed, ShardMap.HashedPart(key));
        Assert.Equal(ShardMap.Hash(hashed), ShardMap.Hash(key));
    }

    [Fact]
    public void Keys_with_one_hash_tag_share_a_group()
    {
        var map = new ShardMap("default", 16);
        var groups = Enumerable.Range(0, 50).Select(i => map.GroupOf($"{{order-7}}.line{i}")).Distinct().ToArray();
        Assert.Equal([map.GroupOf("order-7")], groups);
        // Without the tag the same keys spread.
        Assert.True(Enumerable.Range(0, 50).Select(i => map.GroupOf($"order-7.line{i}")).Distinct().Count() > 1);
    }
}
