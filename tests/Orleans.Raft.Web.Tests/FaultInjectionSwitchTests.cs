using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Orleans.Raft.Web.Tests;

public sealed class FaultInjectionSwitchTests
{
    [Fact]
    public async Task Without_fault_injection_fault_calls_answer_403_and_status_says_off()
    {
        await using var silo = await WebSilo.StartAsync("--Raft:EnableFaultInjection", "false");
        foreach (var (method, path) in new[] { (HttpMethod.Post, "/api/replicas/r1/stop"), (HttpMethod.Get, "/api/faults"), (HttpMethod.Post, "/api/faults/heal") })
        {
            using var response = await silo.Client.SendAsync(new HttpRequestMessage(method, path));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Contains("AddRaftFaultInjection", problem.RootElement.GetProperty("detail").GetString());
        }
        using var status = await silo.StatusAsync();
        Assert.False(status.RootElement.GetProperty("faultInjection").GetBoolean());
    }

    [Fact]
    public void Production_configuration_leaves_fault_injection_off_and_development_turns_it_on()
    {
        bool Setting(string file) => new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, file), optional: false)
            .Build().GetValue<bool>("Raft:EnableFaultInjection");
        Assert.False(Setting("appsettings.json"));
        Assert.True(Setting("appsettings.Development.json"));
    }
}
