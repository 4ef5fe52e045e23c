namespace Orleans.Raft.ClientApp;

/// <summary>The client's exit codes, as the README lists them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The cluster answered, but not with success: no such key, compare failed, timeout, no leader.</summary>
    public const int RequestFailed = 1;

    /// <summary>The command line is wrong; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>No silo answered at the gateway, or the connection was lost.</summary>
    public const int Unreachable = 3;
}
