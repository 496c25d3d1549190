import { describe, expect, it } from "@jest/globals";
import { isDeployTask } from "../../src/decisions/is-deploy-task.js";

describe("isDeployTask", () => {
  it("counts deploy and any deploy:<task> as shipping code", () => {
    for (const task of ["deploy", "deploy:migrations", "deploy:assets:precompile"]) expect(isDeployTask(task)).toBe(true);
  });

  it("counts GitHub's empty default task as deploy", () => {
    expect(isDeployTask("")).toBe(true);
  });

  it("does not count lock, unlock and rollback requests", () => {
    for (const task of ["deploy:lock", "deploy:unlock", "deploy:rollback"]) expect(isDeployTask(task)).toBe(false);
  });

  it("does not count other tasks or near misses", () => {
    for (const task of ["migrate", "Deploy", "deployx", "deploy-now", "predeploy:x", " deploy"]) expect(isDeployTask(task)).toBe(false);
  });
});
