using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Raft.TestSupport.Processes;

/// <summary>
/// A real redis-server on a free loopback port, with its own temporary directory and every write fsynced
/// (appendonly, appendfsync always, no RDB snapshots), as the README tells operators to run it. Dispose stops it and
/// deletes the directory.
/// </summary>
public sealed class RedisServer : IDisposable
{
    /// <summary>Installs redis-server; the test support project's build and .ci/run call it.</summary>
    public const string InstallScript = "tests/Orleans.Raft.TestSupport/redis/install.sh";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly ProcessLog _log;

    private RedisServer(Process process, ProcessLog log, int port, string directory)
    {
        _process = process;
        _log = log;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    /// <summary>The server's working directory: its append-only file lives here.</summary>
    public string Directory { get; }

    /// <summary>For Cluster:ConnectionString and StackExchange.Redis.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The server's output, in the test output's TestResults/processes.</summary>
    public string LogPath => _log.Path;

    public static async Task<RedisServer> StartAsync()
    {
        var executable = FindExecutable();
        // A port that another test took between the check and redis-server's bind makes it exit: try another.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePorts.Next();
            var directory = System.IO.Directory.CreateTempSubdirectory("orleans-raft-redis-").FullName;
            var log = new ProcessLog($"redis-{port}");
            var info = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            foreach (var arg in new[]
            {
                "--port", $"{port}", "--bind", "127.0.0.1", "--dir", directory, "--daemonize", "no", "--logfile", "",
                "--appendonly", "yes", "--appendfsync", "always", "--save", "",
            })
            {
                info.ArgumentList.Add(arg);
            }
            var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
            process.OutputDataReceived += (_, e) => log.Write(e.Data);
            process.ErrorDataReceived += (_, e) => log.Write(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new RedisServer(process, log, port, directory);
            try
            {
                await server.WaitForPingAsync();
                return server;
            }
            catch (Exception) when (process.HasExited && attempt < 3)
            {
                server.Dispose();
            }
            catch (Exception)
            {
                server.Dispose();
                throw;
            }
        }
    }

    private static string FindExecutable()
    {
        const string debian = "/usr/bin/redis-server";
        if (File.Exists(debian)) return debian;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);
        return onPath ?? throw new InvalidOperationException(
            $"redis-server is not installed (neither {debian} nor on PATH): run 'bash {InstallScript}' " +
            "(or 'sudo apt-get install -y redis-server'); the test project's build runs it too, and needs root or password-less sudo for it");
    }

    private async Task WaitForPingAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}:\n{_log.Tail}");
            if (await PingAsync()) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds} s:\n{_log.Tail}");
            await Task.Delay(50);
        }
    }

    /// <summary>True when the server answers PING with PONG (inline command, no client library needed).</summary>
    public async Task<bool> PingAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[7];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0) break;
                read += n;
            }
            return Encoding.ASCII.GetString(buffer, 0, read) == "+PONG\r\n";
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        _log.Close();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory: best effort.
        }
    }
}
