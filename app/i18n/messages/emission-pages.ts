import { defineMessages } from '../define.ts'

/** The methodology page, the factor-set admin page, and factor-set storage errors. */
export const emissionPages = defineMessages(
  {
    'factorSets.error.versionFrozen':
      '文件 {file}：因子集 {version} 已{status}，内容不同的文件不能覆盖它。已发布的因子集不能修改，请在 set.json 中使用新的版本号。',
    'factorSets.error.notDraft': '因子集 {version} 的状态是“{status}”，只有草稿才能发布。',
    'factorSets.error.versionNotNewer': '因子集 {version} 的版本号不高于正在使用的 {inForce}，不能发布。请在 set.json 中使用更高的版本号后重新上传。',
    'factorSets.error.storedInvalid': '因子集 {version} 的存储内容与校验值不一致，不能发布。请重新上传。',
    'factorSets.error.notPublished': '因子集 {version} 的状态是“{status}”，只有已发布的因子集才能停用。',
    'factorSets.error.retireInForce': '因子集 {version} 正在使用中，不能停用。请先发布新的因子集。',
  },
  {
    'factorSets.error.versionFrozen':
      '{file}: factor set {version} is already {status}, and files with other content cannot replace it. A published set is never edited: give set.json a new version.',
    'factorSets.error.notDraft': 'Factor set {version} is {status}; only a draft can be published.',
    'factorSets.error.versionNotNewer': 'Factor set {version} is not a higher version than {inForce}, the set in force, so it cannot be published. Give set.json a higher version and upload it again.',
    'factorSets.error.storedInvalid': 'The stored content of factor set {version} does not match its checksum, so it cannot be published. Upload it again.',
    'factorSets.error.notPublished': 'Factor set {version} is {status}; only a published set can be retired.',
    'factorSets.error.retireInForce': 'Factor set {version} is the set in force and cannot be retired. Publish a newer set first.',
  },
)
