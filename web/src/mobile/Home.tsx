/** @jsxImportSource preact */
import type { Profile } from './client';
import { Screen } from './ui';

/** 首页: a member signs in (or goes on to their lessons), a non-member youth finds their branch. */
export function Home({ me }: { me: Profile | null }) {
  return (
    <Screen title="青年大学习">
      <p class="lead">请选择你的身份，开始本期学习。</p>
      <a class="choice" href={me ? '#/me' : '#/signin'} data-testid="choose-member">
        <strong>我是团员</strong>
        <span>{me ? `${me.name}，进入我的学习` : '用团支部发给你的登录码登录，计入团员参学率'}</span>
      </a>
      <a class="choice" href="#/youth" data-testid="choose-youth">
        <strong>我是青年</strong>
        <span>不是团员也欢迎学习：找到你的班级或单位团支部，填写姓名和学号/工号即可</span>
      </a>
    </Screen>
  );
}
