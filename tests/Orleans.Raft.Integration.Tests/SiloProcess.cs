using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orleans.Raft.Integration.Tests;

/// <summary>A real silo process on localhost (src/Silo), for tests that stop, restart and kill -9 whole processes.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private SiloProcess(Process process, int instance, SiloPorts ports)
    {
        _process = process;
        Instance = instance;
        Ports = ports;
    }

    public int Instance { get; }
    public SiloPorts Ports { get; }
    public int GatewayPort => Ports.Gateway + Instance;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output) return string.Join('\n', _output);
        }
    }

    /// <summary>Starts instance N of a local cluster, node n(N+1) with its own directory under dataDirectory, and waits until it serves.</summary>
    public static async Task<SiloProcess> StartAsync(int instance, SiloPorts ports, string dataDirectory, params string[] extra)
    {
        var dll = Path.Combine(Paths.RepositoryRoot, "src", "Silo", "bin", Paths.Configuration, "net10.0", "Orleans.Raft.Silo.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"build src/Silo first: {dll} is missing");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var arg in new[]
        {
            dll, "--instance", $"{instance}", "--silo-port", $"{ports.Silo}", "--gateway-port", $"{ports.Gateway}",
            "--dashboard-port", $"{ports.Dashboard}", "--primary-port", $"{ports.Silo}",
            "--Silo:ClusterId", ports.ClusterId, "--Node:DataDirectory", Path.Combine(dataDirectory, $"n{instance + 1}"),
            "--Raft:EnableFaultInjection", "true",
            "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Orleans.Raft", "Information",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
        }.Concat(extra))
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the silo");
        var silo = new SiloProcess(process, instance, ports);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => silo._ready.TrySetException(new InvalidOperationException($"silo {instance} exited with {process.ExitCode}:\n{silo.Output}"));
        await silo._ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
        return silo;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
        // Instance 0 is ready once it has started the group; the others once the host is up.
        if (line.Contains(Instance == 0 ? "Raft group" : "Application started", StringComparison.Ordinal)) _ready.TrySetResult();
    }

    /// <summary>kill -9: no shutdown code runs.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>A graceful stop (SIGTERM), as an operator's Ctrl+C.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        using var term = Process.Start("kill", ["-TERM", $"{_process.Id}"]);
        await term!.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }
}

/// <summary>Free base ports for a local cluster; instance N uses base + N.</summary>
public sealed record SiloPorts(int Silo, int Gateway, int Dashboard, string ClusterId)
{
    public static SiloPorts Allocate(int instances)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var b = Random.Shared.Next(20_000, 60_000);
            var ports = new SiloPorts(b, b + 100, b + 200, $"proc-{b}");
            var all = Enumerable.Range(0, instances).SelectMany(i => new[] { ports.Silo + i, ports.Gateway + i, ports.Dashboard + i });
            if (all.All(IsFree)) return ports;
        }
        throw new InvalidOperationException("no free ports");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
