using System.Diagnostics;

namespace Orleans.Raft.TestSupport.Processes;

/// <summary>
/// A real silo process (src/Silo, built in the tests' configuration) on free loopback ports, in its own working
/// directory, with its output in the test output's TestResults/processes. Started, it serves: its web host answers
/// GET /api/status. Kill is kill -9, Pause and Resume are SIGSTOP and SIGCONT, Restart starts it again on the same
/// ports and directory, and Dispose kills it.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly string[] _args;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ProcessLog _log;
    private Process? _process;
    private bool _paused;

    private SiloProcess(string name, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        _args = args;
        _environment = environment;
        _log = new ProcessLog($"silo-{name}");
        WorkingDirectory = Directory.CreateTempSubdirectory($"orleans-raft-silo-{name}-").FullName;
    }

    public string Name { get; }
    public int SiloPort { get; } = FreePorts.Next();
    public int GatewayPort { get; } = FreePorts.Next();
    public int WebPort { get; } = FreePorts.Next();
    public Uri WebAddress => new($"http://127.0.0.1:{WebPort}");

    /// <summary>The process's working directory, its own; deleted by Dispose.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The process's stdout and stderr, every start appended.</summary>
    public string LogPath => _log.Path;

    /// <summary>The last lines of its output.</summary>
    public string LogTail => _log.Tail;

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>The operating system's process id of the current start.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"silo {Name} is not started");

    /// <summary>
    /// Starts `dotnet Orleans.Raft.Silo.dll --silo-port S --gateway-port G --dashboard-port W ARGS` and waits until it
    /// serves. The silo logs Orleans.Raft at Information and the rest at Warning; ARGS come last and win.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string name, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var silo = new SiloProcess(name, [.. args], environment ?? new Dictionary<string, string>());
        try
        {
            await silo.StartProcessAsync();
        }
        catch (Exception)
        {
            await silo.DisposeAsync();
            throw;
        }
        return silo;
    }

    private static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var dll = RepositoryPaths.SiloDll;
        if (!File.Exists(dll))
            throw new FileNotFoundException($"the silo is not built in {RepositoryPaths.Configuration}: {dll} is missing (the test project references src/Silo so that it is)");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return info;
    }

    private async Task StartProcessAsync()
    {
        var info = StartInfo(WorkingDirectory,
        [
            "--silo-port", $"{SiloPort}", "--gateway-port", $"{GatewayPort}", "--dashboard-port", $"{WebPort}",
            "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Orleans.Raft", "Information",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
            .. _args,
        ], _environment);
        _log.Note($"start {string.Join(' ', info.ArgumentList)}");
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        _process = process;
        _paused = false;
        process.OutputDataReceived += (_, e) => _log.Write(e.Data);
        process.ErrorDataReceived += (_, e) => _log.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilServingAsync(process);
    }

    /// <summary>Ready once the web host answers /api/status with any status: the web host starts after the Orleans silo.</summary>
    private async Task WaitUntilServingAsync(Process process)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"silo {Name} exited with code {process.ExitCode} before serving (log: {LogPath}):\n{LogTail}");
            try
            {
                using var response = await Http.GetAsync(new Uri(WebAddress, "/api/status"));
                _log.Note($"serving: GET /api/status answered {(int)response.StatusCode}");
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"silo {Name} did not serve within {ReadyTimeout.TotalSeconds} s (log: {LogPath}):\n{LogTail}");
            await Task.Delay(200);
        }
    }

    /// <summary>kill -9 of the process and its children: no shutdown code runs.</summary>
    public void Kill()
    {
        if (_process is null || _process.HasExited) return;
        _log.Note("kill -9");
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _paused = false;
    }

    /// <summary>A graceful stop (SIGTERM), as an operator's Ctrl+C; kill -9 if it has not ended after 30 s.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited) return;
        await SignalAsync("TERM", paused: false);
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

    /// <summary>SIGSTOP: the process is frozen, its sockets stay open and nothing answers, as a machine that hangs.</summary>
    public Task PauseAsync() => SignalAsync("STOP", paused: true);

    /// <summary>SIGCONT after <see cref="PauseAsync"/>.</summary>
    public Task ResumeAsync() => SignalAsync("CONT", paused: false);

    private async Task SignalAsync(string signal, bool paused)
    {
        if (_process is null || _process.HasExited) throw new InvalidOperationException($"silo {Name} is not running");
        _log.Note($"kill -{signal}");
        using var kill = Process.Start("kill", [$"-{signal}", $"{_process.Id}"]) ?? throw new InvalidOperationException("could not run kill");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {_process.Id} exited with {kill.ExitCode}");
        _paused = paused;
    }

    /// <summary>Kills the process if it still runs, then starts it again on the same ports, arguments and directory, and waits until it serves.</summary>
    public async Task RestartAsync()
    {
        Kill();
        _process?.Dispose();
        await StartProcessAsync();
    }

    public ValueTask DisposeAsync()
    {
        // SIGKILL reaches a stopped process too.
        if (_paused) _log.Note("disposed while paused");
        Kill();
        _process?.Dispose();
        _log.Close();
        try
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory: best effort.
        }
        return ValueTask.CompletedTask;
    }
}
