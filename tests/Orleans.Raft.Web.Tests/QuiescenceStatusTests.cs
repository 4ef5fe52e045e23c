using System.Net;
using System.Text.Json;

namespace Orleans.Raft.Web.Tests;

/// <summary>A lone node's group, idle: /api/status shows each replica quiesced, its timer stopped, and no removed replicas.</summary>
public sealed class QuiescenceStatusTests : IAsyncLifetime
{
    private WebSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await WebSilo.StartAsync();

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task An_idle_group_shows_every_replica_quiesced_and_not_ticking_and_a_write_still_succeeds()
    {
        var replicas = await WaitForAllQuiescedAsync();
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], replicas.Select(r => r.GetProperty("name").GetString()));
        Assert.All(replicas, r =>
        {
            Assert.False(r.GetProperty("ticking").GetBoolean());
            Assert.Equal(0, r.GetProperty("removedReplicas").GetArrayLength());
        });

        // A write wakes the group, commits, and the group goes quiet again.
        using (var put = await _silo.Client.PutAsync("/api/kv/woken", new StringContent("yes")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        Assert.Equal("yes", await _silo.Client.GetStringAsync("/api/kv/woken"));
        await WaitForAllQuiescedAsync();
    }

    /// <summary>Polls /api/status until every replica reports quiesced; the test's own timeout bounds it.</summary>
    private async Task<JsonElement[]> WaitForAllQuiescedAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        JsonElement[] last = [];
        while (!cts.IsCancellationRequested)
        {
            using var status = await _silo.StatusAsync();
            last = [.. status.RootElement.GetProperty("replicas").EnumerateArray().Select(r => r.Clone())];
            if (last.Length > 0 && last.All(r => r.GetProperty("quiesced").ValueKind == JsonValueKind.True)) return last;
            await Task.Delay(100, CancellationToken.None);
        }
        Assert.Fail($"the group did not quiesce: {string.Join("; ", last.Select(r => $"{r.GetProperty("name")} quiesced={r.GetProperty("quiesced")} ticking={r.GetProperty("ticking")}"))}");
        return last;
    }
}
