using System.Diagnostics;
using Orleans.Raft.TestSupport.Processes;

namespace Orleans.Raft.Bench;

/// <summary>
/// Three etcd members (e1, e2, e3), each its own process with its own data directory, on free loopback ports, every
/// setting etcd's default. Dispose kills them and deletes their directories; so does the end of this process, should
/// Main return before Dispose has run.
/// </summary>
internal sealed class EtcdCluster : IAsyncDisposable
{
    public const string InstallScript = "scripts/install-etcd.sh";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(30);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly string _data = Directory.CreateTempSubdirectory("orleans-raft-etcd-bench-").FullName;
    private readonly ManualResetEventSlim _disposed = new();
    private int _disposing;

    public EtcdCluster()
    {
        var ports = new[] { "e1", "e2", "e3" }.Select(n => (Name: n, Client: FreePorts.Next(), Peer: FreePorts.Next())).ToArray();
        var initial = string.Join(",", ports.Select(p => $"{p.Name}=http://127.0.0.1:{p.Peer}"));
        var token = $"orleans-raft-bench-{Guid.NewGuid():N}";
        Members = [.. ports.Select(p => new EtcdMember(p.Name, p.Client, p.Peer, Path.Combine(_data, p.Name), initial, token))];
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The etcd binary on the PATH, as scripts/install-etcd.sh installs it.</summary>
    public static string Executable { get; } = FindExecutable();

    public IReadOnlyList<EtcdMember> Members { get; }

    public IReadOnlyList<Uri> Endpoints => [.. Members.Select(m => m.ClientUrl)];

    public EtcdMember Member(string name) => Members.Single(m => m.Name == name);

    /// <summary>"etcd Version: 3.4.23" and the like: the first line of etcd --version.</summary>
    public static async Task<string> VersionAsync()
    {
        using var process = Process.Start(new ProcessStartInfo(Executable, "--version") { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"could not run {Executable}");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("etcd Version:", StringComparison.Ordinal));
        return line is null ? "etcd" : "etcd " + line["etcd Version:".Length..].Trim();
    }

    /// <summary>Starts the three members and waits until each answers GET /health with {"health":"true"}: a leader is elected.</summary>
    public async Task StartAsync(TextWriter progress, CancellationToken cancellation)
    {
        foreach (var member in Members) member.Start();
        await progress.WriteLineAsync($"etcd members {string.Join(", ", Members.Select(m => $"{m.Name} at {m.ClientUrl}"))}; logs in {Path.GetDirectoryName(Members[0].LogPath)}");
        foreach (var member in Members) await WaitUntilHealthyAsync(member, cancellation);
    }

    public static async Task WaitUntilHealthyAsync(EtcdMember member, CancellationToken cancellation)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (member.HasExited) throw new InvalidOperationException($"etcd member {member.Name} exited before serving (log: {member.LogPath})");
            try
            {
                var health = await Http.GetStringAsync(new Uri(member.ClientUrl, "/health"), cancellation);
                if (health.Contains("\"true\"", StringComparison.Ordinal)) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                // Not serving yet.
            }
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"etcd member {member.Name} was not healthy within {StartTimeout.TotalSeconds} s (log: {member.LogPath})");
            await Task.Delay(100, cancellation);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 1) return ValueTask.CompletedTask;
        try
        {
            StopAll();
            try
            {
                Directory.Delete(_data, recursive: true);
            }
            catch (IOException)
            {
                // A temporary directory: best effort.
            }
        }
        finally
        {
            _disposed.Set();
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        }
        return ValueTask.CompletedTask;
    }

    private void StopAll()
    {
        foreach (var member in Members)
        {
            try
            {
                member.Stop();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>After Ctrl+C, Main may return before the benchmark has cleaned up: give it time, and kill what is left if it does not.</summary>
    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (!_disposed.Wait(ExitGrace)) StopAll();
    }

    private static string FindExecutable()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin")
            .Select(d => Path.Combine(d, "etcd")).FirstOrDefault(File.Exists);
        return path ?? "etcd";
    }

    /// <summary>Null when etcd can be run; else what to do about it.</summary>
    public static string? Missing() =>
        File.Exists(Executable) ? null : $"etcd is not installed: run {InstallScript} (Debian's etcd-server and etcd-client 3.4)";
}
