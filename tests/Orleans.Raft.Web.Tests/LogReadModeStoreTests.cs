using System.Text;
using System.Text.Json;

namespace Orleans.Raft.Web.Tests;

public sealed class LogReadModeStoreTests
{
    /// <summary>With Raft:ReadMode Log a range goes through the log as a transaction; it must still answer as a range, and a transaction as one.</summary>
    [Fact]
    public async Task With_reads_through_the_log_a_range_answers_as_a_range_and_a_one_read_transaction_as_a_transaction()
    {
        await using var silo = await WebSilo.StartAsync("--Raft:ReadMode", "Log");
        using (var put = await silo.Client.PutAsync("/api/kv/r/a", new StringContent("1"))) put.EnsureSuccessStatusCode();
        using (var put = await silo.Client.PutAsync("/api/kv/r/b", new StringContent("2"))) put.EnsureSuccessStatusCode();

        var range = JsonDocument.Parse(await silo.Client.GetStringAsync("/api/range?prefix=r/")).RootElement;
        Assert.Equal(["r/a", "r/b"], range.GetProperty("kvs").EnumerateArray().Select(k => k.GetProperty("key").GetString()));
        Assert.Equal(2, range.GetProperty("count").GetInt32());

        using var txn = await silo.Client.PostAsync("/api/txn", new StringContent("""{"success":[{"type":"Range","key":"r/a"}]}""", Encoding.UTF8, "application/json"));
        var done = JsonDocument.Parse(await txn.Content.ReadAsStringAsync()).RootElement;
        Assert.True(done.GetProperty("succeeded").GetBoolean(), done.ToString());
        Assert.Equal("1", done.GetProperty("results")[0].GetProperty("kvs")[0].GetProperty("value").GetString());
    }
}
