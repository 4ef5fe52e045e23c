using System.Diagnostics;

namespace Orleans.Raft.ClientApp.Scripts;

/// <summary>
/// Runs a script against a cluster in a fresh group. Commands run in order; a set or get waits for its answer
/// before the next command; 'after N' schedules its block N ticks after it is reached.
/// </summary>
public sealed class ScriptRunner(IClusterClient client, TextWriter output, TimeSpan tick, string? group = null)
{
    public string Group { get; } = group ?? $"script-{Guid.NewGuid():N}"[..19];

    private IFaultControlGrain Faults => client.GetGrain<IFaultControlGrain>("cluster");

    private IKeyValueGatewayGrain Gateway => client.GetGrain<IKeyValueGatewayGrain>(Group);

    /// <summary>Runs the script; returns false if a command other than set or get could not be carried out.</summary>
    public async Task<bool> RunAsync(Script script, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var queue = new PriorityQueue<IReadOnlyList<ScriptCommand>, (TimeSpan Due, long Order)>();
        long order = 0;
        queue.Enqueue(script.Commands, (TimeSpan.Zero, order++));
        var started = new HashSet<string>();
        await output.WriteLineAsync($"# group {Group}");
        try
        {
            while (queue.TryDequeue(out var block, out var at))
            {
                var wait = at.Due - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
                foreach (var command in block)
                {
                    if (command is AfterCommand after)
                    {
                        queue.Enqueue(after.Block, (clock.Elapsed + tick * after.Ticks, order++));
                        continue;
                    }
                    try
                    {
                        await ExecuteAsync(command, started);
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                    {
                        await output.WriteLineAsync($"# error at {script.File}:{command.Line}: {ex.Message}");
                        return false;
                    }
                }
            }
            return true;
        }
        finally
        {
            await CleanUpAsync(started);
        }
    }

    private async Task ExecuteAsync(ScriptCommand command, HashSet<string> started)
    {
        switch (command)
        {
            case StartCommand s:
                string[] members = [s.Node, .. s.Peers];
                await client.GetGrain<IRaftGroupDirectoryGrain>(Group).Register(members);
                await Faults.StartReplica(Group, s.Node, members);
                started.Add(s.Node);
                await output.WriteLineAsync($"# start {s.Node}");
                break;
            case StopCommand s:
                await Faults.StopReplica(Group, s.Node);
                await output.WriteLineAsync($"# stop {s.Node}");
                break;
            case SendCommand s:
                foreach (var destination in s.Destinations)
                {
                    try
                    {
                        await client.GetGrain<IRaftReplicaGrain>(Hosting.ReplicaKey.Format(Group, destination)).StartElection();
                        await output.WriteLineAsync($"# {s.Type} -> {destination}");
                    }
                    catch (InvalidOperationException ex)
                    {
                        // A message to a stopped node is lost, as on a real network.
                        await output.WriteLineAsync($"# {s.Type} -> {destination} lost: {ex.Message}");
                    }
                }
                break;
            case SetCommand s:
                await ReportAsync("setResponse", s.Node, s.Key, await RequestAsync(s.Node, KvRequest.Set(s.Key, s.Value)));
                break;
            case GetCommand g:
                await ReportAsync("getResponse", g.Node, g.Key, await RequestAsync(g.Node, KvRequest.Get(g.Key)));
                break;
            case SplitCommand s:
                await Faults.Split(Group, s.Partition, s.Nodes);
                await output.WriteLineAsync($"# split {s.Partition}: {string.Join(",", s.Nodes)}");
                break;
            case JoinCommand j:
                await Faults.Join(Group, j.Partition);
                await output.WriteLineAsync($"# join {j.Partition}");
                break;
        }
    }

    private async Task<KvResponse> RequestAsync(string? node, KvRequest request)
    {
        try
        {
            return node is null ? await Gateway.Execute(request) : await Gateway.ExecuteVia(node, request);
        }
        catch (InvalidOperationException ex)
        {
            // A request through a stopped node fails like any other request: one response line, and the script goes on.
            return KvResponse.Failure(KvStatus.Unavailable, ex.Message, node);
        }
    }

    private Task ReportAsync(string kind, string? node, string key, KvResponse response)
    {
        var who = node ?? response.ServedBy ?? "gateway";
        var line = response.Status switch
        {
            KvStatus.Ok => $"{kind} ({who}): {key} => {response.Value}",
            KvStatus.NotFound => $"{kind} ({who}): {key} ERROR: No such key: {key}",
            _ => $"{kind} ({who}): {key} ERROR: {(response.Error ?? response.Status.ToString()).ReplaceLineEndings(" ")}",
        };
        return output.WriteLineAsync(line);
    }

    private async Task CleanUpAsync(IEnumerable<string> started)
    {
        try
        {
            await Faults.Forget(Group);
            await Task.WhenAll(started.Select(r => client.GetGrain<IRaftReplicaGrain>(Hosting.ReplicaKey.Format(Group, r)).Retire()));
        }
        catch (Exception ex)
        {
            await output.WriteLineAsync($"# cleanup of group {Group} failed: {ex.Message}");
        }
    }
}
