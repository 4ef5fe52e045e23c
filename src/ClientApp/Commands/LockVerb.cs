using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Orleans.Raft.Client;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>
/// 'lock NAME': takes the named lock (a key under a lease, oldest first) and holds it until Ctrl+C, or runs a command
/// while holding it, as etcdctl lock does.
/// </summary>
public sealed class LockVerb : IVerb
{
    public int Order => 48;

    public Command Create(ClientContext context)
    {
        var name = StoreRequests.RecipeName("lock");
        var ttl = StoreRequests.Ttl("the lock");
        var run = new Argument<string[]>("COMMAND")
        {
            Description = "A command to run while holding the lock (after '--'); the lock is released when it exits, with its exit code. RAFT_LOCK_KEY and RAFT_LOCK_TOKEN are set for it",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("lock", "Take the named lock, waiting for it; print its key and fencing token and hold it until Ctrl+C, or run COMMAND while holding it")
        {
            name, ttl, run,
        };
        command.SetAction((r, ct) => StoreRequests.RunAsync(context, r, ct, async store =>
        {
            await using var held = await store.LockAsync(r.GetValue(name)!, StoreRequests.TtlOf(r, ttl), ct);
            var argv = r.GetValue(run) ?? [];
            if (argv.Length > 0) return await RunHoldingAsync(context.IO, held, argv, ct);
            await context.IO.Out.WriteLineAsync($"{held.Key} token={held.Token}");
            await context.IO.Out.FlushAsync(ct);
            return await HoldAsync(context.IO, held.Lost, $"lost the lock {held.Name}: its lease expired, so another may hold it", ct);
        }));
        return command;
    }

    /// <summary>Waits for Ctrl+C (exit 0) or for the loss of what is held (exit 1).</summary>
    public static async Task<int> HoldAsync(ClientIO io, CancellationToken lost, string lostMessage, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(lost, cancellationToken);
        await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        if (cancellationToken.IsCancellationRequested) return ExitCodes.Ok;
        await io.Error.WriteLineAsync($"error: {lostMessage}");
        return ExitCodes.RequestFailed;
    }

    private static async Task<int> RunHoldingAsync(ClientIO io, RaftLock held, string[] argv, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in argv.Skip(1)) info.ArgumentList.Add(arg);
        info.Environment["RAFT_LOCK_KEY"] = held.Key;
        info.Environment["RAFT_LOCK_TOKEN"] = held.Token.ToString(CultureInfo.InvariantCulture);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            await io.Error.WriteLineAsync($"error: cannot run '{argv[0]}': {ex.Message}");
            return ExitCodes.RequestFailed;
        }
        using (process)
        {
            var copies = Task.WhenAll(CopyAsync(process.StandardOutput, io.Out), CopyAsync(process.StandardError, io.Error));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(held.Lost, cancellationToken);
            try
            {
                await process.WaitForExitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C, or the lock is lost: the command must not go on as if it held the lock.
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                await copies;
                if (cancellationToken.IsCancellationRequested) throw;
                await io.Error.WriteLineAsync($"error: lost the lock {held.Name}: its lease expired; stopped '{argv[0]}'");
                return ExitCodes.RequestFailed;
            }
            await copies;
            return process.ExitCode;
        }
    }

    private static async Task CopyAsync(StreamReader from, TextWriter to)
    {
        var buffer = new char[4096];
        int n;
        while ((n = await from.ReadAsync(buffer)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, n));
            await to.FlushAsync();
        }
    }
}
