using System.Diagnostics;
using System.Globalization;

namespace Orleans.Raft.Bench;

/// <summary>
/// One etcd member process on loopback ports of its own, with its own data directory and etcd's default settings
/// (fsync on, heartbeat 100 ms, election timeout 1000 ms). Its output goes to a log file beside the node logs. Kill is
/// kill -9; Restart starts it again on the same ports and data directory, so it rejoins from its own disk.
/// </summary>
internal sealed class EtcdMember
{
    private readonly string[] _args;
    private readonly object _lock = new();
    private Process? _process;
    private StreamWriter? _log;

    public EtcdMember(string name, int clientPort, int peerPort, string dataDirectory, string initialCluster, string token)
    {
        Name = name;
        ClientUrl = new Uri($"http://127.0.0.1:{I(clientPort)}");
        PeerUrl = $"http://127.0.0.1:{I(peerPort)}";
        DataDirectory = dataDirectory;
        LogPath = Path.Combine(AppContext.BaseDirectory, "TestResults", "processes", $"etcd-{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}.log");
        _args =
        [
            "--name", name, "--data-dir", dataDirectory,
            "--listen-client-urls", ClientUrl.ToString().TrimEnd('/'), "--advertise-client-urls", ClientUrl.ToString().TrimEnd('/'),
            "--listen-peer-urls", PeerUrl, "--initial-advertise-peer-urls", PeerUrl,
            "--initial-cluster", initialCluster, "--initial-cluster-state", "new", "--initial-cluster-token", token,
        ];
    }

    public string Name { get; }

    public Uri ClientUrl { get; }

    /// <summary>Where the other members reach it: http://127.0.0.1:PORT.</summary>
    public string PeerUrl { get; }

    public string DataDirectory { get; }

    public string LogPath { get; }

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"etcd member {Name} is not started");

    /// <summary>Starts the process; it serves once it answers GET /health, which <see cref="EtcdCluster"/> waits for.</summary>
    public void Start()
    {
        lock (_lock)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
            _log ??= new StreamWriter(LogPath, append: true) { AutoFlush = true };
            var info = new ProcessStartInfo(EtcdCluster.Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in _args) info.ArgumentList.Add(arg);
            Note($"start {EtcdCluster.Executable} {string.Join(' ', _args)}");
            var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {EtcdCluster.Executable}");
            process.OutputDataReceived += (_, e) => Write(e.Data);
            process.ErrorDataReceived += (_, e) => Write(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
        }
    }

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>kill -9: no shutdown code runs.</summary>
    public void Kill()
    {
        Process? process;
        lock (_lock) process = _process;
        if (process is null || process.HasExited) return;
        Note("kill -9");
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public void Restart()
    {
        Kill();
        lock (_lock) _process?.Dispose();
        Start();
    }

    /// <summary>Kills the process; the cluster deletes the data directory.</summary>
    public void Stop()
    {
        Kill();
        lock (_lock)
        {
            _process?.Dispose();
            _process = null;
            _log?.Dispose();
            _log = null;
        }
    }

    private void Note(string what) => Write($"---- {DateTime.UtcNow:HH:mm:ss.fff} bench: {what}");

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_lock) _log?.WriteLine(line);
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
