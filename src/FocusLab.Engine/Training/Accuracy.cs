using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Training;

/// <summary>Top-1 accuracy: rows whose largest logit (first on ties) is the target.</summary>
public static class Accuracy
{
    public static long CountCorrect(Tensor<float> logits, ReadOnlySpan<int> targets)
    {
        int classes = logits.LastDim;
        long correct = 0;
        var values = logits.Span;
        for (int r = 0; r < targets.Length; r++)
        {
            var row = values.Slice(r * classes, classes);
            int best = 0;
            for (int j = 1; j < classes; j++) if (row[j] > row[best]) best = j;
            if (best == targets[r]) correct++;
        }
        return correct;
    }
}
