using System.Diagnostics;

namespace Orleans.Raft.Integration.Tests;

/// <summary>A test that mounts a small tmpfs to fill it for real; skipped, saying why, where mounting is not permitted.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public TmpfsFactAttribute()
    {
        if (Unavailable.Value is { } reason) Skip = $"needs a real full disk from a small tmpfs, and {reason}";
    }

    public static void Mount(string path, string size) => Run("mount", $"-t tmpfs -o size={size} tmpfs {path}");

    public static void Unmount(string path) => Run("umount", path);

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "this is not Linux";
        if (!Environment.IsPrivilegedProcess) return "mounting needs root";
        var path = Path.Combine(Path.GetTempPath(), $"orleans-raft-tmpfs-probe-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        try
        {
            Mount(path, "64k");
            Unmount(path);
            return null;
        }
        catch (Exception ex)
        {
            return $"mounting one is not permitted here ({ex.Message})";
        }
        finally
        {
            Directory.Delete(path);
        }
    }

    private static void Run(string command, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"could not run {command}");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command} {arguments} failed ({process.ExitCode}): {error.Trim()}");
    }
}
