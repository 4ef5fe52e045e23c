using System.Net;
using System.Net.Sockets;

namespace Orleans.Raft.TestSupport.Processes;

/// <summary>
/// Loopback TCP ports for the servers tests start. Drawn at random below Linux's ephemeral range (32768 and up),
/// so no outgoing connection takes one meanwhile, and never handed out twice in one test process.
/// </summary>
public static class FreePorts
{
    private const int Low = 20_000;
    private const int High = 32_000;
    private static readonly HashSet<int> Taken = [];

    public static int Next()
    {
        lock (Taken)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(Low, High);
                if (Taken.Contains(port) || !IsFree(port)) continue;
                Taken.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port between {Low} and {High}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            // Any address: the port must be free however the server binds it.
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
