// Labels and messages of the exercises and of the saved work (web/exercises.js, persistence.js, progress.js), in
// English and Chinese; the page's <html lang> picks the language (i18n.js: pageLanguage). The checks' own messages
// come from Python (nnlib.exercises), in the language of the lesson's check cell.
import { pageLanguage } from "./i18n.js";

const STRINGS = {
  en: {
    check: "Check",
    checkTitle: "Run your code, then check it",
    checking: "Checking…",
    checkingLabel: "Checking your code…",
    codeFailed: "Your code raised an error (see its output above). Fix it, then check again.",
    codeNotRun: "Your code did not run because an earlier cell failed (see above).",
    checkStopped: "The check was stopped.",
    checkBroken: "The check could not run:",
    resultsLabel: "Check results",
    passed: "passed",
    failed: "failed",
    showSolution: "Show solution",
    solved: "Solved",
    solvedTitle: "You solved this exercise",
    tocSolved: "exercise solved",
    restored: "Your edited code from an earlier visit was restored. Reset brings back the original.",
    stale: "This cell has changed since you edited it, so your saved code was not put back.",
    useSaved: "Use my saved code",
    discardSaved: "Discard it",
    resetLesson: "Reset lesson",
    resetLessonTitle: "Restore every cell's original code and forget the solved exercises of this lesson",
    resetLessonConfirm: "Restore the original code of every cell and forget which exercises you solved in this lesson?",
    notSaved: "Your edits and solved exercises cannot be saved in this browser (storage is unavailable); they last until you leave the page.",
    lessonSolved: (n, total) => (n === total ? `✓ ${total === 1 ? "exercise" : "all exercises"} solved` : `${n} of ${total} exercises solved`),
  },
  zh: {
    check: "检查",
    checkTitle: "运行你的代码，然后检查它",
    checking: "检查中…",
    checkingLabel: "正在检查你的代码…",
    codeFailed: "你的代码出错了（见上方的输出）。改正后再检查一次。",
    codeNotRun: "前面的单元格出错，你的代码没有运行（见上方）。",
    checkStopped: "检查已停止。",
    checkBroken: "检查无法运行：",
    resultsLabel: "检查结果",
    passed: "通过",
    failed: "未通过",
    showSolution: "查看参考答案",
    solved: "已完成",
    solvedTitle: "你已完成这道练习",
    tocSolved: "练习已完成",
    restored: "已恢复你上次编辑的代码。点“重置”可恢复原始代码。",
    stale: "这个单元格在你编辑之后有了改动，所以没有恢复你保存的代码。",
    useSaved: "使用我保存的代码",
    discardSaved: "丢弃",
    resetLesson: "重置本课",
    resetLessonTitle: "恢复所有单元格的原始代码，并清除本课已完成练习的记录",
    resetLessonConfirm: "要恢复所有单元格的原始代码，并清除本课已完成练习的记录吗？",
    notSaved: "此浏览器无法保存你的编辑和已完成的练习（存储不可用）；离开本页后它们就会丢失。",
    lessonSolved: (n, total) => (n === total ? "✓ 练习已全部完成" : `已完成 ${n}/${total} 道练习`),
  },
};

/** The exercise strings of the page's language. */
export function exerciseStrings(doc = document) {
  return STRINGS[pageLanguage(doc)];
}

export { STRINGS };
