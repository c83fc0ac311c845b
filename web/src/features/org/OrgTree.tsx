import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Empty, Skeleton, Tree, Typography } from 'antd';
import type { TreeDataNode, TreeProps } from 'antd';
import { api } from '../../lib/api';
import { fetchRoots, peekRoots } from '../../lib/roots';
import { useOrgsChanged } from '../../lib/org-events';
import { useRequest } from '../../lib/useRequest';
import type { Items, Org } from '../../lib/types';
import { KindTag } from '../../components/KindTag';

/**
 * The tree browser. It never loads the whole tree: roots come from /api/orgs/roots, each level from
 * /api/orgs/{id}/children when it is expanded, and antd's virtual list renders only the visible rows, so a
 * province with 100,000+ orgs opens as fast as a school.
 */

interface Node extends TreeDataNode {
  key: string;
  org: Org;
  children?: Node[];
}

interface Props {
  selectedId: number | undefined;
  /** Materialized path of the selected org (`/1/5/23/`): its ancestors are expanded to reveal it. */
  selectedPath: string | undefined;
  onSelect: (org: Org) => void;
  height: number;
}

const idsOf = (path: string) => path.split('/').filter(Boolean).map(Number);

/** Ancestors of the selected org, from the first visible root down to its parent. */
function chainToReveal(path: string, id: number, roots: Org[]): number[] {
  const chain = idsOf(path);
  const rootIdx = chain.findIndex((a) => roots.some((r) => r.id === a));
  return rootIdx < 0 ? [] : chain.slice(rootIdx, chain.indexOf(id));
}

export function OrgTree({ selectedId, selectedPath, onSelect, height }: Props) {
  const rootsReq = useRequest(fetchRoots, [], true, peekRoots());
  const roots = rootsReq.data?.items;
  const [childrenOf, setChildrenOf] = useState<ReadonlyMap<number, Org[]>>(new Map());
  const [expandedKeys, setExpandedKeys] = useState<string[]>([]);
  const [revealed, setRevealed] = useState<string | undefined>(undefined);
  const treeRef = useRef<{ scrollTo: (o: { key: string; align?: 'top' | 'bottom' | 'auto' }) => void } | null>(null);
  // The loaded levels outside React state, so concurrent loads never overwrite each other.
  const loaded = useRef(new Map<number, Org[]>());
  const pendingScroll = useRef<number | undefined>(undefined);

  // One request per level at a time, whoever asks (the reveal, rc-tree's loadData, a reload).
  const inflight = useRef(new Map<number, Promise<Org[]>>());
  const fetchChildren = useCallback((id: number) => {
    const pending = inflight.current.get(id);
    if (pending) return pending;
    const p = api
      .get<Items<Org>>(`/api/orgs/${id}/children`)
      .then((res) => {
        loaded.current.set(id, res.items);
        setChildrenOf(new Map(loaded.current));
        return res.items;
      })
      .finally(() => inflight.current.delete(id));
    inflight.current.set(id, p);
    return p;
  }, []);

  // Reveal the selected org: expand its ancestors (adjusting state while rendering, as React recommends for
  // state derived from props), then load the levels that are missing — in parallel — and scroll to it.
  const revealKey = roots && selectedPath && selectedId ? `${selectedId}:${selectedPath}` : undefined;
  if (revealKey !== revealed) {
    setRevealed(revealKey);
    if (roots && selectedPath && selectedId) {
      const chain = chainToReveal(selectedPath, selectedId, roots).map(String);
      setExpandedKeys((old) => [...new Set([...old, ...chain])]);
    }
  }
  useEffect(() => {
    if (!roots || !selectedPath || !selectedId) return;
    const missing = chainToReveal(selectedPath, selectedId, roots).filter((a) => !loaded.current.has(a));
    pendingScroll.current = selectedId;
    for (const a of missing) fetchChildren(a).catch(() => undefined);
  }, [roots, selectedPath, selectedId, fetchChildren]);

  // After a change, reload the levels that show it: every loaded ancestor level (descendant counts change
  // all the way up) and the roots. Levels that are loaded but collapsed are dropped and reload on expand.
  useOrgsChanged((ids, { expand }) => {
    const all = loaded.current;
    const affected = new Set<number>();
    if (ids === null) for (const k of all.keys()) affected.add(k);
    else {
      const pathOf = new Map<number, string>();
      for (const list of all.values()) for (const o of list) pathOf.set(o.id, o.path);
      for (const r of roots ?? []) pathOf.set(r.id, r.path);
      for (const id of ids) {
        affected.add(id);
        const p = pathOf.get(id);
        if (p) for (const a of idsOf(p)) affected.add(a);
      }
    }
    const expanded = new Set(expandedKeys.map(Number));
    if (expand) {
      affected.add(expand);
      expanded.add(expand);
      setExpandedKeys((old) => (old.includes(String(expand)) ? old : [...old, String(expand)]));
    }
    for (const id of affected) {
      if (!all.has(id) && id !== expand) continue;
      if (expanded.has(id)) void fetchChildren(id).catch(() => undefined);
      else all.delete(id);
    }
    setChildrenOf(new Map(all));
    rootsReq.reload();
  });

  const treeData = useMemo(() => {
    const build = (list: Org[], seen: Set<number>): Node[] =>
      list.map((org) => {
        const kids = childrenOf.get(org.id);
        const node: Node = { key: String(org.id), title: org.name, org, isLeaf: org.descendantCount === 0 };
        if (kids && !seen.has(org.id)) {
          seen.add(org.id);
          node.children = build(kids, seen);
          node.isLeaf = kids.length === 0;
        }
        return node;
      });
    return build(roots ?? [], new Set());
  }, [roots, childrenOf]);

  useEffect(() => {
    const id = pendingScroll.current;
    if (id === undefined) return;
    const visible = roots?.some((r) => r.id === id) || [...childrenOf.values()].some((l) => l.some((o) => o.id === id));
    if (!visible) return;
    const frame = requestAnimationFrame(() => {
      pendingScroll.current = undefined;
      treeRef.current?.scrollTo({ key: String(id), align: 'auto' });
    });
    return () => cancelAnimationFrame(frame);
  }, [treeData, roots, childrenOf]);

  const loadData: TreeProps<Node>['loadData'] = async (node) => {
    if (!loaded.current.has(node.org.id)) await fetchChildren(node.org.id);
  };

  if (rootsReq.error && !roots) return <Alert type="error" showIcon title={rootsReq.error.message} />;
  if (!roots) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (!roots.length) return <Empty description="没有可查看的组织" />;

  return (
    <Tree<Node>
      ref={treeRef as never}
      className="org-tree"
      data-testid="org-tree"
      virtual
      height={height}
      // No expand animation: a level that arrives while a motion runs would otherwise stay hidden until the
      // motion ends (rc-tree renders its pre-motion snapshot), and without it expanding is instant.
      motion={false}
      // Expanded keys are exactly ours: rc-tree would otherwise drop keys of levels not loaded yet when the
      // tree mounts ("expand parent"), and a revealed path would stay collapsed.
      autoExpandParent={false}
      defaultExpandParent={false}
      blockNode
      showLine={{ showLeafIcon: false }}
      treeData={treeData}
      loadData={loadData}
      loadedKeys={[...childrenOf.keys()].map(String)}
      expandedKeys={expandedKeys}
      onExpand={(keys) => setExpandedKeys(keys.map(String))}
      selectedKeys={selectedId ? [String(selectedId)] : []}
      onSelect={(_keys, info) => onSelect(info.node.org)}
      titleRender={(node) => (
        <span
          className="org-tree-node"
          data-testid={`tree-node-${node.org.id}`}
          title={`${node.org.name}（${node.org.kindLabel}，下级 ${node.org.descendantCount} 个）`}
        >
          <span className="name">{node.org.name}</span>
          <KindTag kind={node.org.kind} label={node.org.kindLabel} />
          {node.org.descendantCount > 0 && (
            <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
              {node.org.descendantCount}
            </Typography.Text>
          )}
        </span>
      )}
    />
  );
}
