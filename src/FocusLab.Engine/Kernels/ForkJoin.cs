namespace FocusLab.Engine.Kernels;

/// <summary>
/// The engine's fork-join loop: indices 0..count-1 run on the calling thread and on persistent
/// workers. A training step has one to two hundred parallel regions separated by short serial
/// stretches; <c>Parallel.For</c> hands each to thread-pool workers that may have gone to sleep, and
/// waking one cost 0.1–0.2 ms after a millisecond of serial work on the 2-core VM (measured), the
/// length of a whole small product. These workers spin for <see cref="SpinMicroseconds"/> after each
/// region before they sleep, so the next region starts within microseconds.
///
/// Which thread runs an index never changes a result: callers give every index its own output.
/// A call from inside a region, or while another thread's region is running, runs its indices in
/// order on the calling thread. Either way, an index that throws stops the region (indices not yet
/// started are skipped) and its exception is rethrown inside an <see cref="AggregateException"/>.
///
/// FocusLab.Optim keeps its own internal pool for optimizer steps: it allocates nothing per step
/// (a region here is one small object) and the optimizer library cannot depend on the engine, so
/// the two do not share threads; the optimizer step runs after the backward pass, when this pool's
/// worker has at most its 300 µs of spinning left.
/// </summary>
internal sealed class ForkJoin
{
    /// <summary>How long an idle worker keeps looking for the next region before it sleeps.</summary>
    public const int SpinMicroseconds = 300;

    public static readonly ForkJoin Shared = new(Environment.ProcessorCount - 1);

    private sealed class Region(Action<int> body, int count, int helpers)
    {
        public readonly Action<int> Body = body;
        public readonly int Count = count;
        public int Next;
        public int Done;
        public int Slots = helpers;
        public Exception? Error;
    }

    private readonly SemaphoreSlim _wake = new(0);
    private Region? _current;
    private int _busy;
    private int _sleepers;
    private readonly int _workers;

    private ForkJoin(int workers)
    {
        _workers = Math.Max(0, workers);
        for (int i = 0; i < _workers; i++)
            new Thread(WorkerLoop) { IsBackground = true, Name = $"focuslab-engine-{i + 1}" }.Start();
    }

    /// <summary>Runs body(0..count-1) on up to <paramref name="maxThreads"/> threads (the caller included; ≤ 0: all).</summary>
    public void For(int count, int maxThreads, Action<int> body)
    {
        int threads = maxThreads <= 0 ? _workers + 1 : Math.Min(maxThreads, _workers + 1);
        int helpers = Math.Min(threads - 1, count - 1);
        var region = new Region(body, count, helpers);
        if (helpers <= 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            Work(region);
            ThrowIfFailed(region);
            return;
        }
        try
        {
            Interlocked.Exchange(ref _current, region); // full fence: a worker going to sleep sees it, or we see the sleeper
            if (Volatile.Read(ref _sleepers) > 0)
            {
                int sleeping = Interlocked.Exchange(ref _sleepers, 0);
                if (sleeping > 0) _wake.Release(sleeping);
            }
            Work(region);
            var spin = new SpinWait();
            while (Volatile.Read(ref region.Done) < count) spin.SpinOnce(sleep1Threshold: -1);
        }
        finally
        {
            Volatile.Write(ref _current, null); // let the body's captures be collected
            Volatile.Write(ref _busy, 0);
        }
        ThrowIfFailed(region);
    }

    private static void ThrowIfFailed(Region region)
    {
        if (region.Error is { } error) throw new AggregateException("A parallel engine kernel failed.", error);
    }

    /// <summary>Claims and runs indices until none is left; after a failure the rest are skipped (but counted).</summary>
    private static void Work(Region region)
    {
        int i;
        while ((i = Interlocked.Increment(ref region.Next) - 1) < region.Count)
        {
            if (Volatile.Read(ref region.Error) is null)
            {
                try
                {
                    region.Body(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref region.Error, e, null);
                }
            }
            Interlocked.Increment(ref region.Done);
        }
    }

    private void WorkerLoop()
    {
        Region? last = null;
        while (true)
        {
            long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + SpinMicroseconds * System.Diagnostics.Stopwatch.Frequency / 1_000_000;
            var spin = new SpinWait();
            Region? region;
            while ((region = Volatile.Read(ref _current)) == last && System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
                spin.SpinOnce(sleep1Threshold: -1);
            if (region == last)
            {
                Interlocked.Increment(ref _sleepers);
                if (Volatile.Read(ref _current) == last) _wake.Wait();
                else Interlocked.Decrement(ref _sleepers); // a stale count only causes one spurious wake-up
                continue;
            }
            last = region;
            // A region takes as many helpers as its thread limit allows; a late worker finds no index left.
            if (region is not null && Interlocked.Decrement(ref region.Slots) >= 0) Work(region);
        }
    }
}
