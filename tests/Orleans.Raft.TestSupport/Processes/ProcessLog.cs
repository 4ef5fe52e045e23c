namespace Orleans.Raft.TestSupport.Processes;

/// <summary>A child process's stdout and stderr, appended to a file in the test output and kept for error messages.</summary>
internal sealed class ProcessLog
{
    private const int Kept = 200;
    private readonly Queue<string> _tail = new();
    private readonly StreamWriter _file;

    public ProcessLog(string name)
    {
        var directory = System.IO.Path.Combine(RepositoryPaths.TestResults, "processes");
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}.log");
        _file = new StreamWriter(Path, append: true) { AutoFlush = true };
    }

    public string Path { get; }

    /// <summary>Raised for every line, after it is stored.</summary>
    public event Action<string>? Line;

    /// <summary>The last lines, for an exception's message; the whole output is in <see cref="Path"/>.</summary>
    public string Tail
    {
        get
        {
            lock (_tail) return string.Join('\n', _tail);
        }
    }

    public void Write(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > Kept) _tail.Dequeue();
            _file.WriteLine(line);
        }
        Line?.Invoke(line);
    }

    /// <summary>A line of the test's own, so the file tells what happened to the process (kill, pause, restart).</summary>
    public void Note(string what) => Write($"---- {DateTime.UtcNow:HH:mm:ss.fff} test: {what}");

    public void Close()
    {
        lock (_tail) _file.Dispose();
    }
}
