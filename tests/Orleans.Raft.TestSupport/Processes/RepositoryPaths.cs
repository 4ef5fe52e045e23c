namespace Orleans.Raft.TestSupport.Processes;

/// <summary>Where the repository and the built programs are, found from the running test assembly.</summary>
public static class RepositoryPaths
{
    /// <summary>The directory that holds Orleans.Raft.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built in (Debug or Release): the test output is bin/CONFIG/TFM/.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>The silo built in the same configuration as the tests.</summary>
    public static string SiloDll => Path.Combine(Root, "src", "Silo", "bin", Configuration, "net10.0", "Orleans.Raft.Silo.dll");

    /// <summary>Where tests leave files for a person to read afterwards (process logs): TestResults in the test output.</summary>
    public static string TestResults => Path.Combine(AppContext.BaseDirectory, "TestResults");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orleans.Raft.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no Orleans.Raft.sln above {AppContext.BaseDirectory}");
    }
}
