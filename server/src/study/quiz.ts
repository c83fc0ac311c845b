import { z } from 'zod';

/** A quiz question as a committee writes it: options and the indexes of the correct ones. */
export const quizQuestion = z.strictObject({
  question: z.string().trim().min(1, '请填写题目').max(500),
  options: z.array(z.string().trim().min(1, '选项不能为空').max(200)).min(2, '至少两个选项').max(8, '最多八个选项'),
  answer: z.array(z.number().int().min(0)).min(1, '请标出正确答案'),
});
export type QuizQuestion = z.infer<typeof quizQuestion>;

export const quizInput = z
  .array(quizQuestion)
  .max(20, '最多 20 道题')
  .superRefine((qs, ctx) => {
    qs.forEach((q, i) => {
      for (const a of q.answer)
        if (a >= q.options.length)
          ctx.addIssue({ code: 'custom', path: [i, 'answer'], message: `第${i + 1}题的正确答案不在选项中` });
      if (new Set(q.answer).size !== q.answer.length)
        ctx.addIssue({ code: 'custom', path: [i, 'answer'], message: `第${i + 1}题的正确答案重复` });
    });
  });

/** What a learner sees: the questions without the answers. */
export function publicQuiz(quiz: QuizQuestion[]) {
  return quiz.map((q) => ({ question: q.question, options: q.options, multiple: q.answer.length > 1 }));
}

/** Numbers (1-based) of the questions answered wrongly or not at all. */
export function wrongAnswers(quiz: QuizQuestion[], answers: number[][] | undefined): number[] {
  const wrong: number[] = [];
  quiz.forEach((q, i) => {
    const given = [...new Set(answers?.[i] ?? [])].sort((a, b) => a - b);
    const right = [...q.answer].sort((a, b) => a - b);
    if (given.length !== right.length || given.some((v, j) => v !== right[j])) wrong.push(i + 1);
  });
  return wrong;
}

export const parseQuiz = (stored: string | null): QuizQuestion[] =>
  stored ? (JSON.parse(stored) as QuizQuestion[]) : [];
