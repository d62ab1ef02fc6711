import type { MessageKey } from '#app/i18n/index.ts'

/**
 * A closed list of values. The stored value is the option code; people may
 * type the code, the Chinese or English label (from the catalog) or one of the
 * aliases below, which are the spellings found in real fleet and outlet sheets.
 */
export interface EnumDefinition<O extends string = string> {
  name: string
  options: readonly O[]
  labels: { readonly [K in O]: MessageKey }
  /** Extra accepted spellings (compared after full-width folding, lower-casing, spaces removed). */
  aliases: Readonly<Record<string, O>>
}

function defineEnum<const O extends string>(definition: EnumDefinition<O>): EnumDefinition<O> {
  return definition
}

export const dataQualities = defineEnum({
  name: 'dataQuality',
  options: ['measured', 'estimated', 'default'],
  labels: {
    measured: 'activity.enum.dataQuality.measured',
    estimated: 'activity.enum.dataQuality.estimated',
    default: 'activity.enum.dataQuality.default',
  },
  aliases: { 实测: 'measured', 计量: 'measured', 估计: 'estimated', 估算: 'estimated', 默认: 'default', 缺省: 'default' },
})

export const vehicleClasses = defineEnum({
  name: 'vehicleClass',
  options: ['electric_tricycle', 'light_van', 'light_truck', 'heavy_truck'],
  labels: {
    electric_tricycle: 'activity.enum.vehicleClass.electric_tricycle',
    light_van: 'activity.enum.vehicleClass.light_van',
    light_truck: 'activity.enum.vehicleClass.light_truck',
    heavy_truck: 'activity.enum.vehicleClass.heavy_truck',
  },
  aliases: {
    电三轮: 'electric_tricycle',
    电动三轮: 'electric_tricycle',
    三轮车: 'electric_tricycle',
    tricycle: 'electric_tricycle',
    'e-tricycle': 'electric_tricycle',
    轻型厢式车: 'light_van',
    厢式车: 'light_van',
    面包车: 'light_van',
    van: 'light_van',
    轻卡: 'light_truck',
    轻型卡车: 'light_truck',
    重卡: 'heavy_truck',
    重型卡车: 'heavy_truck',
  },
})

export const energies = defineEnum({
  name: 'energy',
  options: ['BEV', 'PHEV', 'FCEV', 'diesel', 'gasoline', 'CNG', 'LNG'],
  labels: {
    BEV: 'activity.enum.energy.BEV',
    PHEV: 'activity.enum.energy.PHEV',
    FCEV: 'activity.enum.energy.FCEV',
    diesel: 'activity.enum.energy.diesel',
    gasoline: 'activity.enum.energy.gasoline',
    CNG: 'activity.enum.energy.CNG',
    LNG: 'activity.enum.energy.LNG',
  },
  aliases: {
    纯电: 'BEV',
    电动: 'BEV',
    electric: 'BEV',
    插电混动: 'PHEV',
    插混: 'PHEV',
    氢燃料电池: 'FCEV',
    氢能: 'FCEV',
    hydrogen: 'FCEV',
    petrol: 'gasoline',
  },
})

export type VehicleClass = (typeof vehicleClasses.options)[number]
export type Energy = (typeof energies.options)[number]

export const emissionStandards = defineEnum({
  name: 'emissionStandard',
  options: ['guo5', 'guo6', 'none'],
  labels: {
    guo5: 'activity.enum.emissionStandard.guo5',
    guo6: 'activity.enum.emissionStandard.guo6',
    none: 'activity.enum.emissionStandard.none',
  },
  // NFKC folds the Roman numerals Ⅴ/Ⅵ to V/VI before these are looked up.
  aliases: {
    国5: 'guo5',
    国v: 'guo5',
    chinav: 'guo5',
    china5: 'guo5',
    国6: 'guo6',
    国vi: 'guo6',
    chinavi: 'guo6',
    china6: 'guo6',
    无: 'none',
  },
})

export const acquisitions = defineEnum({
  name: 'acquisition',
  options: ['new', 'replacement', 'existing'],
  labels: {
    new: 'activity.enum.acquisition.new',
    replacement: 'activity.enum.acquisition.replacement',
    existing: 'activity.enum.acquisition.existing',
  },
  aliases: { 新增: 'new', 新车: 'new', 更新: 'replacement', 替换: 'replacement', 原有: 'existing', 存量车: 'existing' },
})

export const assetTypes = defineEnum({
  name: 'assetType',
  options: ['box', 'transit_bag'],
  labels: {
    box: 'activity.enum.assetType.box',
    transit_bag: 'activity.enum.assetType.transit_bag',
  },
  aliases: { 循环箱: 'box', 快递箱: 'box', 中转袋: 'transit_bag', 循环袋: 'transit_bag', transitbag: 'transit_bag' },
})

export const enums = {
  dataQuality: dataQualities,
  vehicleClass: vehicleClasses,
  energy: energies,
  emissionStandard: emissionStandards,
  acquisition: acquisitions,
  assetType: assetTypes,
} as const

export type EnumName = keyof typeof enums
