using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Raft;
using Orleans.Raft.ClientApp;
using Orleans.Raft.ClientApp.Scripts;

CommandLine cmd;
try
{
    cmd = CommandLine.Parse(args);
}
catch (UsageException ex)
{
    Console.Error.WriteLine(ex.Message.Contains('\n') ? ex.Message : $"error: {ex.Message}");
    return ExitCodes.Usage;
}

if (cmd.Command == "bench")
{
    try
    {
        return await Benchmark.RunAsync(cmd);
    }
    catch (UsageException ex)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        return ExitCodes.Usage;
    }
}

if (cmd.Command == "run") return await RunScriptCommand.RunAsync(cmd, Console.Out, Console.Error);

IHost host;
try
{
    host = await ClusterConnection.ConnectAsync(cmd.GatewayHost, cmd.GatewayPort, cmd.Verbose);
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: cannot reach a silo at {cmd.GatewayHost}:{cmd.GatewayPort}: {ClusterConnection.Describe(ex)}");
    return ExitCodes.Unreachable;
}

using (host)
{
    try
    {
        var client = host.Services.GetRequiredService<IClusterClient>();
        return await new ClientCommands(client, Console.Out, Console.Error).RunAsync(cmd);
    }
    catch (Exception ex) when (ex is SiloUnavailableException or OrleansMessageRejectionException or SocketException or TimeoutException)
    {
        Console.Error.WriteLine($"error: lost the silo at {cmd.GatewayHost}:{cmd.GatewayPort}: {ClusterConnection.Describe(ex)}");
        return ExitCodes.Unreachable;
    }
    finally
    {
        try
        {
            await host.StopAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception)
        {
            // Nothing to save on the way out.
        }
    }
}

namespace Orleans.Raft.ClientApp
{
    public static class ExitCodes
    {
        public const int Ok = 0;
        public const int RequestFailed = 1;
        public const int Usage = 2;
        public const int Unreachable = 3;
    }

    public static class ClusterConnection
    {
        public static async Task<IHost> ConnectAsync(string host, int port, bool verbose, string clusterId = "orleans-raft", string serviceId = "orleans-raft")
        {
            var addresses = IPAddress.TryParse(host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(host);
            var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
            // Fail fast with the socket's own reason when nothing listens there.
            using (var probe = new TcpClient(address.AddressFamily))
            using (var probeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            {
                await probe.ConnectAsync(address, port, probeTimeout.Token);
            }

            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            if (verbose) builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Information);
            builder.UseOrleansClient(client =>
            {
                client.UseStaticClustering(new IPEndPoint(address, port));
                // Must match the silo's Silo:ClusterId and Silo:ServiceId.
                client.Configure<Orleans.Configuration.ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = serviceId;
                });
            });
            var app = builder.Build();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await app.StartAsync(cts.Token);
            }
            catch
            {
                app.Dispose();
                throw;
            }
            return app;
        }

        public static string Describe(Exception ex)
        {
            while (ex is AggregateException { InnerException: { } inner }) ex = inner;
            var message = ex.Message.Split('\n')[0].Trim();
            return ex is OperationCanceledException ? "timed out connecting" : message;
        }
    }

    /// <summary>The client's commands against a connected cluster; output goes to the given writers so tests can read it.</summary>
    public sealed class ClientCommands(IClusterClient client, TextWriter stdout, TextWriter stderr)
    {
        public async Task<int> RunAsync(CommandLine cmd)
        {
            var group = cmd.Group ?? "default";
            var gateway = client.GetGrain<IKeyValueGatewayGrain>(group);
            switch (cmd.Command)
            {
                case "status":
                    return await StatusAsync(gateway, group);
                case "elect":
                    try
                    {
                        await gateway.StartElection(cmd.Arguments[0]);
                        stdout.WriteLine($"election started on {cmd.Arguments[0]}");
                        return ExitCodes.Ok;
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                    {
                        stderr.WriteLine($"error: {ex.Message}");
                        return ExitCodes.RequestFailed;
                    }
            }

            if (FaultCommands.Contains(cmd.Command)) return await FaultAsync(cmd, group);

            var request = cmd.Command switch
            {
                "get" => KvRequest.Get(cmd.Arguments[0]),
                "set" => KvRequest.Set(cmd.Arguments[0], cmd.Arguments[1]),
                "delete" => KvRequest.Delete(cmd.Arguments[0]),
                "append" => KvRequest.Append(cmd.Arguments[0], cmd.Arguments[1]),
                _ when cmd.Flags.ContainsKey("absent") => KvRequest.CompareAndSet(cmd.Arguments[0], null, cmd.Arguments[1]),
                _ => KvRequest.CompareAndSet(cmd.Arguments[0], cmd.Arguments[1], cmd.Arguments[2]),
            };
            var response = cmd.Via is { } via ? await gateway.ExecuteVia(via, request) : await gateway.Execute(request);
            return Report(request, response);
        }

        private static readonly HashSet<string> FaultCommands = ["split", "cut", "join", "heal", "drop", "delay", "stop", "start", "faults"];

        private async Task<int> FaultAsync(CommandLine cmd, string group)
        {
            var faults = client.GetGrain<IFaultControlGrain>("cluster");
            var a = cmd.Arguments;
            try
            {
                switch (cmd.Command)
                {
                    case "split":
                        await faults.Split(group, a[0], a[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                        break;
                    case "join":
                        await faults.Join(group, a[0]);
                        break;
                    case "cut":
                        await faults.Cut(group, Names(a[0]), Names(a[1]));
                        break;
                    case "heal":
                        await faults.Heal(group);
                        break;
                    case "drop":
                        await faults.SetDropRate(group, ParseNumber(a[0], "RATE"));
                        break;
                    case "delay":
                        await faults.SetDelay(group, TimeSpan.FromMilliseconds(ParseNumber(a[0], "MIN_MS")), TimeSpan.FromMilliseconds(ParseNumber(a[1], "MAX_MS")));
                        break;
                    case "stop":
                        await faults.StopReplica(group, a[0]);
                        break;
                    case "start":
                        await faults.StartReplica(group, a[0], []);
                        break;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                stderr.WriteLine($"error: {ex.Message}");
                return ExitCodes.RequestFailed;
            }

            var f = await faults.GetFaults(group);
            if (f.IsEmpty)
            {
                stdout.WriteLine("no faults");
                return ExitCodes.Ok;
            }
            foreach (var (name, members) in f.Partitions.OrderBy(p => p.Key)) stdout.WriteLine($"partition {name}: {string.Join(",", members)}");
            if (f.CutLinks.Length > 0) stdout.WriteLine($"cut links: {string.Join(" ", f.CutLinks)}");
            if (f.DropRate > 0) stdout.WriteLine($"drop rate: {f.DropRate}");
            if (f.MaxDelay > TimeSpan.Zero) stdout.WriteLine($"delay: {f.MinDelay.TotalMilliseconds}-{f.MaxDelay.TotalMilliseconds} ms");
            if (f.Stopped.Length > 0) stdout.WriteLine($"stopped: {string.Join(",", f.Stopped)}");
            return ExitCodes.Ok;
        }

        private static string[] Names(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        private static double ParseNumber(string s, string what) =>
            double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new ArgumentException($"{what} must be a number, not '{s}'");

        private int Report(KvRequest request, KvResponse response)
        {
            switch (response.Status)
            {
                case KvStatus.Ok when request.Operation == KvOperation.Get:
                    stdout.WriteLine(response.Value);
                    return ExitCodes.Ok;
                case KvStatus.Ok:
                    stdout.WriteLine("OK");
                    return ExitCodes.Ok;
                case KvStatus.NotFound:
                    stderr.WriteLine($"error: No such key: {request.Key}");
                    return ExitCodes.RequestFailed;
                case KvStatus.CompareFailed:
                    stderr.WriteLine(response.Value is null
                        ? $"error: compare failed: {request.Key} does not exist"
                        : $"error: compare failed: {request.Key} holds '{response.Value}'");
                    return ExitCodes.RequestFailed;
                case KvStatus.InvalidRequest:
                    stderr.WriteLine($"error: invalid request: {response.Error}");
                    return ExitCodes.RequestFailed;
                case KvStatus.Overloaded:
                    stderr.WriteLine($"error: the cluster is overloaded, the write was not applied; retry later ({OneLine(response.Error ?? "too many uncommitted writes")})");
                    return ExitCodes.RequestFailed;
                default:
                    stderr.WriteLine($"error: {OneLine(response.Error ?? response.Status.ToString())}");
                    return ExitCodes.RequestFailed;
            }
        }

        private async Task<int> StatusAsync(IKeyValueGatewayGrain gateway, string group)
        {
            var statuses = await gateway.GetStatus();
            if (statuses.Length == 0)
            {
                stderr.WriteLine($"error: unknown group '{group}': no replicas are registered");
                return ExitCodes.RequestFailed;
            }
            var rows = new List<string[]> { new[] { "replica", "role", "term", "leader", "commit", "applied", "last index", "last term", "silo" } };
            rows.AddRange(statuses.Select(s => new[]
            {
                s.Replica, s.Error is null ? s.Role : "unreachable", s.CurrentTerm.ToString(), s.LeaderId ?? "-", s.CommitIndex.ToString(),
                s.LastApplied.ToString(), s.LastLogIndex.ToString(), s.LastLogTerm.ToString(), s.Silo ?? "-",
            }));
            var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows) stdout.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            return ExitCodes.Ok;
        }

        private static string OneLine(string s) => s.ReplaceLineEndings(" ");
    }
}
