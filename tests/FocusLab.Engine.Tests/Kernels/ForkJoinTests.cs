using FocusLab.Engine.Kernels;

namespace FocusLab.Engine.Tests.Kernels;

public class ForkJoinTests
{
    private static int[] Counts(int count, int maxThreads)
    {
        var hits = new int[count];
        ForkJoin.Shared.For(count, maxThreads, i => Interlocked.Increment(ref hits[i]));
        return hits;
    }

    [Theory]
    [InlineData(0, -1)]
    [InlineData(1, -1)]
    [InlineData(2, -1)]
    [InlineData(1000, -1)]
    [InlineData(1000, 1)]
    [InlineData(1000, 2)]
    [InlineData(1000, 64)]
    public void RunsEveryIndexExactlyOnce(int count, int maxThreads) => Assert.All(Counts(count, maxThreads), h => Assert.Equal(1, h));

    [Fact]
    public void OneThreadRunsEverythingOnTheCaller()
    {
        int caller = Environment.CurrentManagedThreadId, elsewhere = 0;
        ForkJoin.Shared.For(200, 1, _ => { if (Environment.CurrentManagedThreadId != caller) Interlocked.Increment(ref elsewhere); });
        Assert.Equal(0, elsewhere);
    }

    [Fact]
    public void RegionsAfterTheWorkersFellAsleepStillComplete()
    {
        for (int round = 0; round < 5; round++)
        {
            Thread.Sleep(ForkJoin.SpinMicroseconds / 1000 + 5); // past the spin: the workers are waiting on the semaphore
            Assert.All(Counts(64, -1), h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void ANestedRegionRunsOnItsCaller()
    {
        var hits = new int[8 * 50];
        ForkJoin.Shared.For(8, -1, outer => ForkJoin.Shared.For(50, -1, inner => Interlocked.Increment(ref hits[outer * 50 + inner])));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void ConcurrentCallersFromOtherThreadsAllComplete()
    {
        // As the Lab's parallel study runs do: regions from several threads at once.
        var totals = new long[6];
        Parallel.For(0, totals.Length, new ParallelOptions { MaxDegreeOfParallelism = totals.Length }, t =>
        {
            for (int rep = 0; rep < 200; rep++)
            {
                var part = new long[16];
                ForkJoin.Shared.For(16, -1, i => part[i] = i + rep);
                totals[t] += part.Sum();
            }
        });
        long expected = Enumerable.Range(0, 200).Sum(rep => Enumerable.Range(0, 16).Sum(i => (long)(i + rep)));
        Assert.All(totals, t => Assert.Equal(expected, t));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)] // on the caller only: the same exception type as on the pool
    public void AFailingIndexIsReportedAndThePoolStaysUsable(int maxThreads)
    {
        var error = Assert.Throws<AggregateException>(() => ForkJoin.Shared.For(100, maxThreads, i =>
        {
            if (i == 37) throw new InvalidOperationException("index 37");
        }));
        Assert.Equal("index 37", Assert.IsType<InvalidOperationException>(error.InnerException).Message);
        Assert.All(Counts(100, -1), h => Assert.Equal(1, h));
    }
}
