namespace FocusLab.Lab.Training;

/// <summary>Small helpers for evaluation metrics.</summary>
public static class Metrics
{
    /// <summary>Rows of <paramref name="logits"/> ([rows, classes], row-major) whose arg-max (first on ties) equals the label.</summary>
    public static long CountCorrect(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes)
    {
        long correct = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            var row = logits.Slice(r * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            if (best == labels[r]) correct++;
        }
        return correct;
    }
}
