namespace FocusLab.Optim;

/// <summary>Work split into independent chunks; <see cref="RunChunk"/> may run on any thread.</summary>
internal interface IChunkedWork
{
    void RunChunk(int chunk);
}

/// <summary>
/// A small persistent thread pool for optimizer kernels. Unlike Parallel.For it does not allocate per
/// call, so a warmed-up <c>Step()</c> allocates nothing. Chunks are handed out through one atomic
/// counter; because every chunk's result depends only on its index, results are identical whatever
/// the thread count.
/// </summary>
internal sealed class WorkerPool
{
    public static readonly WorkerPool Shared = new(Environment.ProcessorCount);

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _start = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly object _gate = new();
    private IChunkedWork? _work;
    private int _chunkCount;
    private int _nextChunk;
    private int _activeWorkers;
    private Exception? _error;

    private WorkerPool(int threads)
    {
        _threads = new Thread[Math.Max(0, threads - 1)];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"focuslab-optim-{i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads available including the caller.</summary>
    public int MaxThreads => _threads.Length + 1;

    /// <summary>Runs chunks 0..chunkCount-1 on up to <paramref name="threads"/> threads (the caller included).</summary>
    public void Run(IChunkedWork work, int chunkCount, int threads)
    {
        int helpers = Math.Min(Math.Min(threads, MaxThreads) - 1, chunkCount - 1);
        if (helpers <= 0)
        {
            for (int c = 0; c < chunkCount; c++) work.RunChunk(c);
            return;
        }
        lock (_gate) // one parallel job at a time; nested or concurrent callers queue here
        {
            _work = work;
            _chunkCount = chunkCount;
            _nextChunk = 0;
            _error = null;
            _activeWorkers = helpers;
            _done.Reset();
            _start.Release(helpers);
            Drain();
            _done.Wait();
            _work = null;
            if (_error is { } e) throw new AggregateException("An optimizer kernel failed.", e);
        }
    }

    private void WorkerLoop()
    {
        while (true)
        {
            _start.Wait();
            Drain();
            if (Interlocked.Decrement(ref _activeWorkers) == 0) _done.Set();
        }
    }

    private void Drain()
    {
        var work = _work!;
        int c;
        while ((c = Interlocked.Increment(ref _nextChunk) - 1) < _chunkCount)
        {
            try { work.RunChunk(c); }
            catch (Exception e) { _error = e; }
        }
    }
}
