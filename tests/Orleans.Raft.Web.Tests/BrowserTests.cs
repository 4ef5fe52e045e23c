using System.Diagnostics;

namespace Orleans.Raft.Web.Tests;

/// <summary>
/// The Raft console in headless Chromium, driven by browser/console-test.mjs (npm playwright-core). Chromium and the
/// npm packages are set up by .ci/run; when either is missing the test fails and says how to install it.
/// </summary>
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Console_shows_nodes_peers_and_sparklines_confirms_a_leadership_transfer_and_keeps_the_timeline_over_a_reload()
    {
        await using var silo = await WebSilo.StartAsync("--access-token", "browser-token");
        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "raft-console.png");
        var dialog = Path.Combine(AppContext.BaseDirectory, "TestResults", "raft-console-confirm.png");
        foreach (var file in new[] { screenshot, dialog }) if (File.Exists(file)) File.Delete(file);

        var output = await RunScriptAsync("console-test.mjs", silo.BaseAddress.ToString().TrimEnd('/'), screenshot, "browser-token");
        Assert.True(File.Exists(screenshot), $"no screenshot at {screenshot}:\n{output}");
        Assert.True(File.Exists(dialog), $"no screenshot of the confirmation dialog at {dialog}:\n{output}");
    }

    [Fact]
    public async Task Console_watch_panel_shows_changes_written_through_the_api_newest_first()
    {
        await using var silo = await WebSilo.StartAsync("--access-token", "browser-token");
        await RunScriptAsync("watch-test.mjs", silo.BaseAddress.ToString().TrimEnd('/'), "browser-token");
    }

    /// <summary>Runs a script of browser/ in node; it must exit 0 and print PASS. Returns what it printed.</summary>
    private static async Task<string> RunScriptAsync(params string[] args)
    {
        var browserDir = Path.Combine(RepositoryRoot(), "tests", "Orleans.Raft.Web.Tests", "browser");
        Assert.True(File.Exists(Chromium), $"Chromium is not installed at {Chromium}: run 'apt-get update && apt-get install -y chromium' (as .ci/run does)");
        Assert.True(Directory.Exists(Path.Combine(browserDir, "node_modules", "playwright-core")),
            $"playwright-core is not installed: run 'npm ci' in {browserDir} (as .ci/run does)");

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = browserDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"cannot run node (install Node.js 20 or later): {ex.Message}");
            return "";
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the browser script did not finish in 120 s:\n{await stdout}\n{await stderr}");
            }
            var output = $"{await stdout}\n{await stderr}";
            Assert.True(process.ExitCode == 0, $"the browser script exited with {process.ExitCode}:\n{output}");
            Assert.Contains("PASS", output);
            return output;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Raft.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Orleans.Raft.sln above {AppContext.BaseDirectory}");
    }
}
