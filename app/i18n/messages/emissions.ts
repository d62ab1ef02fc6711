import { defineMessages } from '../define.ts'

/**
 * Factor-file errors, calculation errors and the methodology text. Error
 * messages receive {file}, {row} and {field} besides their own parameters.
 */
export const emissions = defineMessages(
  {
    // ---- factor files -------------------------------------------------------
    'factors.error.fileEmpty': '文件 {file} 是空的。请上传完整的因子集文件。',
    'factors.error.invalidJson': '文件 {file} 不是有效的 JSON：{detail}。请检查括号、引号和逗号。',
    'factors.error.setField': '文件 {file} 的字段“{field}”缺失或无效：{detail}。',
    'factors.error.csvSyntax': '文件 {file} 第 {row} 行无法解析：{detail}。请检查引号是否成对。',
    'factors.error.missingColumn': '文件 {file} 缺少列“{field}”。请使用模板中的列名。',
    'factors.error.unknownColumn': '文件 {file} 有未知的列“{field}”。请删除该列或改用模板中的列名。',
    'factors.error.noRows': '文件 {file} 没有任何数据行。',
    'factors.error.required': '文件 {file} 第 {row} 行：“{field}”不能为空。',
    'factors.error.missingSource':
      '文件 {file} 第 {row} 行：因子缺少来源（“{field}”）。每个因子都必须注明出处文件。',
    'factors.error.notANumber':
      '文件 {file} 第 {row} 行：“{field}”的值“{value}”不是数字。请只填写数字，例如 0.5366。',
    'factors.error.negative':
      '文件 {file} 第 {row} 行：“{field}”的值“{value}”为负数。排放因子不能小于零。',
    'factors.error.unknownUnit':
      '文件 {file} 第 {row} 行：单位“{value}”不在允许列表中（{allowed}）。',
    'factors.error.unknownBoundary':
      '文件 {file} 第 {row} 行：核算边界“{value}”无效，应为以下之一：{allowed}。',
    'factors.error.unknownValue':
      '文件 {file} 第 {row} 行：“{field}”的值“{value}”无效，应为以下之一：{allowed}。',
    'factors.error.badId':
      '文件 {file} 第 {row} 行：编号“{value}”格式不对。只能使用小写字母、数字和 . _ : - 。',
    'factors.error.badQuantity':
      '文件 {file} 第 {row} 行：适用对象“{value}”格式不对。只能使用小写字母、数字和 . _ : - 。',
    'factors.error.duplicateId':
      '文件 {file} 第 {row} 行：编号“{value}”与第 {firstRow} 行重复。每个因子的编号必须唯一。',
    'factors.error.badRegion':
      '文件 {file} 第 {row} 行：地区“{value}”无效。请填写 CN、grid:区域电网（如 grid:central）或六位省级行政区划代码。',
    'factors.error.unknownProvince':
      '文件 {file} 第 {row} 行：省级代码“{value}”不在电网区域对照表中。',
    'factors.error.badYear':
      '文件 {file} 第 {row} 行：“{field}”的年份“{value}”无效，应为 1990 至 2100 之间的四位年份。',
    'factors.error.yearOrder':
      '文件 {file} 第 {row} 行：适用起始年份 {from} 晚于结束年份 {to}。',
    'factors.error.overlap':
      '文件 {file} 第 {row} 行：因子 {value} 与第 {otherRow} 行的因子 {otherId} 适用于同一对象、地区和年份。请调整适用年份。',
    'factors.error.badRegionCode':
      '文件 {file} 第 {row} 行：行政区划代码“{value}”应为六位数字（GB/T 2260）。',
    'factors.error.duplicateRegion':
      '文件 {file} 第 {row} 行：行政区划代码“{value}”与第 {firstRow} 行重复。',
    'factors.error.cityWithoutProvince':
      '文件 {file} 第 {row} 行：地市代码“{value}”所属的省级代码 {province} 不在表中。',
    'factors.error.hashMismatch':
      '因子集 {version} 已发布，但内容与发布时记录的校验值不一致（记录 {recorded}，现为 {computed}）。已发布的因子集不能修改，请另建新版本。',

    // ---- calculation ------------------------------------------------------------
    'emissions.error.noFactor':
      '因子集 {version} 中没有“{quantity}”（{boundary}，每 {per}）的因子，无法计算。',
    'emissions.error.noFactorForYear':
      '因子集 {version} 中“{quantity}”没有适用于 {year} 年或任何其他年份的因子。',
    'emissions.error.unknownRegion':
      '行政区划代码“{regionCode}”无法对应到区域电网。请检查网点或车辆所在地区的代码。',
    'emissions.error.negativeInput': '“{field}”不能为负数。',
    'emissions.error.badDesignLife': '可循环包装的设计使用次数必须大于零。',
    'emissions.error.noActivity':
      '车辆当月没有燃料、电量或里程数据，无法计算排放。请至少填写其中一项。',
    'emissions.error.fuelUnitMismatch':
      '能源类型“{energy}”无法按燃料计算。请填写电量，或检查车辆的能源类型。',
    'emissions.error.noDefaultIntensity':
      '没有“{vehicleClass}”（{energy}）的默认里程排放强度，无法按里程估算。请填写该车当月的燃料量或用电量。',
    'emissions.error.unknownEnergy':
      '车辆能源类型“{energy}”无法识别。请在车辆档案中选择纯电、插电混动、燃料电池、柴油、汽油、CNG 或 LNG。',
    'emissions.error.unknownFactorSet': '没有版本为 {version} 的排放因子集。',
    'emissions.error.noPublishedSet': '还没有已发布的排放因子集，无法计算排放。请管理员先发布一个因子集。',
    'emissions.error.setNotPublished': '因子集 {version} 的状态是“{status}”，只有已发布的因子集才能用于计算。',
    'emissions.error.setNotInForce': '因子集 {version} 不是现行因子集（现行为 {inForce}），只有现行因子集才能用于计算。',
    'emissions.error.recordNotFound': '找不到 {recordType} 记录 {recordId}。',
    'emissions.omission.transitBagTrip':
      '因子集 {version} 中没有循环中转袋替代一次性编织袋的参考减排因子，此部分减排量未计入',

    // ---- methodology ----------------------------------------------------------
    'methodology.title': '碳排放核算方法',
    'methodology.intro':
      '本平台的所有排放数据都用精确十进制计算，只在显示时取整。每个结果都记录所用的因子集版本、每个因子的编号、数据质量等级，以及是否采用了替代因子（省级 → 区域电网 → 全国），任何人都可以按下面的公式用计算器复核。',
    'methodology.packaging.title': '包装耗材',
    'methodology.packaging.formula':
      '包装排放（kgCO₂e）= 使用件数 × 单件质量（kg）× 材料排放因子（kgCO₂e/kg，从摇篮到大门）',
    'methodology.reusable.title': '可循环包装',
    'methodology.reusable.formula':
      '每次使用的排放（kgCO₂e）= 单件质量（kg）× 材料排放因子 ÷ 设计使用次数；当期排放 = 使用次数 × 每次使用的排放',
    'methodology.fleetFuel.title': '车辆：按燃料计算（优先）',
    'methodology.fleetFuel.formula':
      '车辆排放 = 燃料量（L、kg 或 m³）×（油箱到车轮因子 + 油井到油箱因子），两部分分别列示',
    'methodology.fleetElectricity.title': '车辆：按用电量计算',
    'methodology.fleetElectricity.formula':
      '车辆排放 = 用电量（kWh）× 车辆所在省份当年的电力平均二氧化碳排放因子（kgCO2/kWh）',
    'methodology.fleetDistance.title': '车辆：按里程估算（仅在没有燃料和用电数据时）',
    'methodology.fleetDistance.formula':
      '车辆排放 = 行驶里程（km）× 该车型和能源类型的默认排放强度（kgCO₂e/车公里）；有货物周转量时 = 吨公里 × 默认强度（kgCO₂e/吨公里）。结果标记为“默认值估算”。',
    'methodology.facility.title': '网点与分拣中心用电',
    'methodology.facility.formula':
      '用电排放 = 用电量（kWh）× 所在省份当年的电力平均二氧化碳排放因子（kgCO2/kWh）',
    'methodology.avoided.title': '减排量（单独列示，不抵扣排放）',
    'methodology.avoided.formula':
      '减排量 = 次数 × 参考减排因子：纸箱回收复用（每个）、可循环包装使用（每次，替代一个一次性纸箱）、电商快件不再二次包装（每件，少用一个纸箱及其胶带）、瘦身胶带（每箱，相对 60 mm 胶带）、电子运单（每件，相对多联纸质运单）',
    'methodology.fallback.title': '替代因子规则',
    'methodology.fallback.region':
      '电力因子先找车辆或网点所在省份的因子；没有时使用所属区域电网的因子；再没有时使用全国平均因子。内蒙古东部（赤峰、通辽、呼伦贝尔、兴安盟）属东北电网，其余属华北电网。采用区域或全国因子时，结果中注明。',
    'methodology.fallback.year':
      '当年没有因子时，使用最近的更早年份的因子；没有更早年份时，使用最近的更晚年份的因子。采用其他年份的因子时，结果中注明所请求的年份和实际使用的年份。',
    'methodology.quality':
      '数据质量等级：1 = 国家官方数据（生态环境部、国家统计局）；2 = 国际官方默认值（IPCC、英国政府转换因子）；3 = 文献估计、替代值或带假设的推算值。一个结果的质量等级取其所用因子中最差的一级。',
    'methodology.rounding':
      '取整规则：合计先按精确值计算再四舍五入；各分项按“最大余数法”取整，使显示的分项之和等于显示的合计。',
    'methodology.scope':
      '电力和燃料燃烧因子只含二氧化碳；包装材料和上游因子为二氧化碳当量。',

    'emissions.method.mass': '按质量计算',
    'emissions.method.mass_reusable': '按设计使用次数分摊',
    'emissions.method.fuel': '按燃料计算',
    'emissions.method.electricity': '按用电量计算',
    'emissions.method.fuel_and_electricity': '按燃料和用电量计算',
    'emissions.method.distance_default': '按里程默认值估算',
    'emissions.method.avoided_reference': '按参考减排因子计算',
    'emissions.method.avoided_mass': '按替代纸箱质量计算',
    'emissions.level.province': '省级因子',
    'emissions.level.grid': '区域电网因子',
    'emissions.level.national': '全国因子',
    'emissions.fallback.region': '未找到{requested}的省级因子，使用{level}（{factorId}）',
    'emissions.fallback.year': '未找到 {requestedYear} 年的因子，使用 {usedYear} 年的因子（{factorId}）',
    // Fallbacks shown where the figure is shown (record page, import preview, reports, CSV, print).
    'fallbacks.badge': '替代因子',
    'fallbacks.recordNote': '此数值没有使用所请求地区或年份的因子：',
    'fallbacks.shareTitle': '替代因子',
    'fallbacks.share': '本期排放中有 {share}（{fallbackT} 吨 CO₂e，共 {totalT} 吨）由使用了替代因子的记录计算。',
    'fallbacks.none': '本期排放全部使用所请求地区和年份的因子计算。',
    'fallbacks.noEmissions': '本期没有排放数据，无替代因子占比。',
    'fallbacks.detailsLink': '查看使用了哪些替代因子',
    'fallbacks.page.title': '替代因子明细：{scope}，{period}',
    'fallbacks.page.intro': '以下记录的排放没有使用所请求地区或年份的因子（规则见方法说明）。每行是一种替代：所用因子、请求的年份、记录数和这些记录的排放量。一条记录用了两个替代因子时在两行中各计一次。',
    'fallbacks.page.none': '本期没有使用替代因子的记录。',
    'fallbacks.page.truncated': '只列出排放量最大的 {limit} 种替代。',
    'fallbacks.col.factor': '所用因子',
    'fallbacks.col.kind': '替代类型',
    'fallbacks.col.requestedYear': '请求年份',
    'fallbacks.col.usedYear': '因子年份',
    'fallbacks.col.level': '因子层级',
    'fallbacks.col.recordType': '记录类型',
    'fallbacks.col.records': '记录数',
    'fallbacks.col.co2e': '排放量（千克 CO₂e）',
    'fallbacks.col.example': '示例记录',
    'fallbacks.kind.region': '地区',
    'fallbacks.kind.year': '年份',
    'fallbacks.preview': '{records} 行的排放（{co2e} 千克 CO₂e）将使用替代因子计算：',
    'fallbacks.previewRow': '{factorId}：{kinds}，{requestedYear} 年数据用 {usedYear} 年因子，{records} 行，{co2e} 千克 CO₂e',
    'fallbacks.csvShare': '替代因子排放占比（%）',
    'fallbacks.print': '替代因子：本期排放的 {share}（{fallbackT} 吨 CO₂e）使用了替代因子，明细见 {url}',
    'methodology.fallback.outsideCoverage':
      '活动年份超出因子集的覆盖年份时（例如 2019 年，或晚于最新发布的年份），不拒绝计算，而是先按地区规则选定层级（省级 → 区域电网 → 全国），再在该层级中取最近的已发布年份：宁用较远年份的区域因子，也不用较近年份的全国因子。原因：同一年各区域电网因子之间的差别（例如 2022 年西南电网 0.2268、华北电网 0.6776 kgCO2/kWh）远大于全国因子逐年的变化（2021–2023 年每年 1%–4%）。这样选出的结果在记录页、导入预览、报表、CSV 和打印报表中都注明所用因子和年份。',
    'emissions.omission.wtt': '因子集中没有“{quantity}”的油井到油箱因子，此部分未计入',
  },
  {
    'factors.error.fileEmpty': 'The file {file} is empty. Upload the complete factor set.',
    'factors.error.invalidJson':
      'The file {file} is not valid JSON: {detail}. Check brackets, quotes and commas.',
    'factors.error.setField': 'In {file}, the field "{field}" is missing or invalid: {detail}.',
    'factors.error.csvSyntax':
      '{file}, row {row}: the row cannot be read: {detail}. Check that quotes come in pairs.',
    'factors.error.missingColumn':
      'The file {file} has no column "{field}". Use the column names of the template.',
    'factors.error.unknownColumn':
      'The file {file} has an unknown column "{field}". Remove it or use the column names of the template.',
    'factors.error.noRows': 'The file {file} has no data rows.',
    'factors.error.required': '{file}, row {row}: "{field}" must not be empty.',
    'factors.error.missingSource':
      '{file}, row {row}: the factor has no source ("{field}"). Every factor must name the document it comes from.',
    'factors.error.notANumber':
      '{file}, row {row}: "{field}" is "{value}", which is not a number. Write digits only, e.g. 0.5366.',
    'factors.error.negative':
      '{file}, row {row}: "{field}" is "{value}", a negative number. An emission factor cannot be below zero.',
    'factors.error.unknownUnit':
      '{file}, row {row}: the unit "{value}" is not one of the allowed units ({allowed}).',
    'factors.error.unknownBoundary':
      '{file}, row {row}: the boundary "{value}" is not valid; use one of: {allowed}.',
    'factors.error.unknownValue':
      '{file}, row {row}: "{field}" is "{value}", which is not valid; use one of: {allowed}.',
    'factors.error.badId':
      '{file}, row {row}: the id "{value}" is not well formed. Use lower-case letters, digits and . _ : - only.',
    'factors.error.badQuantity':
      '{file}, row {row}: the quantity "{value}" is not well formed. Use lower-case letters, digits and . _ : - only.',
    'factors.error.duplicateId':
      '{file}, row {row}: the id "{value}" is already used on row {firstRow}. Each factor needs its own id.',
    'factors.error.badRegion':
      '{file}, row {row}: the region "{value}" is not valid. Use CN, grid:<regional grid> (e.g. grid:central) or a six-digit province code.',
    'factors.error.unknownProvince':
      '{file}, row {row}: the province code "{value}" is not in the grid region table.',
    'factors.error.badYear':
      '{file}, row {row}: "{field}" is "{value}", not a valid year. Use a four-digit year from 1990 to 2100.',
    'factors.error.yearOrder':
      '{file}, row {row}: the first valid year {from} is after the last valid year {to}.',
    'factors.error.overlap':
      '{file}, row {row}: factor {value} covers the same quantity, region and years as factor {otherId} on row {otherRow}. Adjust the valid years.',
    'factors.error.badRegionCode':
      '{file}, row {row}: the region code "{value}" must be six digits (GB/T 2260).',
    'factors.error.duplicateRegion':
      '{file}, row {row}: the region code "{value}" is already listed on row {firstRow}.',
    'factors.error.cityWithoutProvince':
      '{file}, row {row}: the city code "{value}" belongs to province {province}, which is not in the table.',
    'factors.error.hashMismatch':
      'Factor set {version} is published, but its content no longer matches the checksum recorded when it was published (recorded {recorded}, now {computed}). A published set cannot be edited; create a new version.',

    'emissions.error.noFactor':
      'Factor set {version} has no factor for "{quantity}" ({boundary}, per {per}); the figure cannot be computed.',
    'emissions.error.noFactorForYear':
      'Factor set {version} has no factor for "{quantity}" for {year} or any other year.',
    'emissions.error.unknownRegion':
      'The region code "{regionCode}" does not map to a regional grid. Check the region code of the outlet or vehicle.',
    'emissions.error.negativeInput': '"{field}" cannot be negative.',
    'emissions.error.badDesignLife': 'The design life of reusable packaging must be more than zero uses.',
    'emissions.error.noActivity':
      'The vehicle has no fuel, electricity or distance for the month, so no emissions can be computed. Enter at least one of them.',
    'emissions.error.fuelUnitMismatch':
      'Energy type "{energy}" cannot be computed from fuel. Enter electricity instead, or check the vehicle\'s energy type.',
    'emissions.error.noDefaultIntensity':
      'There is no default distance intensity for "{vehicleClass}" ({energy}), so distance alone cannot be used. Enter the fuel or electricity the vehicle used that month.',
    'emissions.error.unknownEnergy':
      'The vehicle energy type "{energy}" is not known. In the vehicle register choose BEV, PHEV, FCEV, diesel, gasoline, CNG or LNG.',
    'emissions.error.unknownFactorSet': 'There is no emission factor set with version {version}.',
    'emissions.error.noPublishedSet': 'No emission factor set has been published yet, so emissions cannot be computed. An administrator must publish one first.',
    'emissions.error.setNotPublished': 'Factor set {version} is {status}; only a published set can be used for calculations.',
    'emissions.error.setNotInForce': 'Factor set {version} is not the set in force ({inForce}); only the set in force can be used for calculations.',
    'emissions.error.recordNotFound': 'There is no {recordType} record {recordId}.',
    'emissions.omission.transitBagTrip':
      'Factor set {version} has no avoided-emission reference for a recyclable transit bag trip instead of a single-use woven sack; that part is not included',

    'methodology.title': 'Carbon accounting methodology',
    'methodology.intro':
      'Every emission figure on this platform is computed in exact decimal arithmetic and rounded only when shown. Each result records the factor set version, the id of every factor used, the data quality tier, and any fallback taken (province → regional grid → national), so that anyone can check it by hand with the formulas below.',
    'methodology.packaging.title': 'Packaging',
    'methodology.packaging.formula':
      'packaging emissions (kgCO₂e) = items used × unit mass (kg) × material factor (kgCO₂e/kg, cradle-to-gate)',
    'methodology.reusable.title': 'Reusable packaging',
    'methodology.reusable.formula':
      'emissions per use (kgCO₂e) = unit mass (kg) × material factor ÷ design life (uses); emissions for the period = uses × emissions per use',
    'methodology.fleetFuel.title': 'Fleet, fuel-based (preferred)',
    'methodology.fleetFuel.formula':
      'fleet fuel-based: fuel (L, kg or m³) × (TTW + WTT factor), with tank-to-wheel and well-to-tank reported apart',
    'methodology.fleetElectricity.title': 'Fleet, electricity-based',
    'methodology.fleetElectricity.formula':
      'fleet electricity: electricity (kWh) × average grid CO2 factor of the vehicle\'s province for that year (kgCO2/kWh)',
    'methodology.fleetDistance.title': 'Fleet, distance-based (only when fuel and electricity are missing)',
    'methodology.fleetDistance.formula':
      'fleet distance default: distance (km) × default intensity for the vehicle class and energy (kgCO₂e/vehicle-km); where tonne-km are recorded, tonne-km × default intensity (kgCO₂e/tkm). Marked "default".',
    'methodology.facility.title': 'Outlet and sorting-centre electricity',
    'methodology.facility.formula':
      'facility electricity: electricity (kWh) × average grid CO2 factor of the province for that year (kgCO2/kWh)',
    'methodology.avoided.title': 'Avoided emissions (reported apart, never netted)',
    'methodology.avoided.formula':
      'avoided = count × reference factor: carton reused (per carton), recyclable packaging trip (per trip, instead of one single-use carton), parcel not re-packed (per parcel, one carton and its tape not used), narrow tape (per box, against 60 mm tape), e-waybill (per parcel, against a multi-part paper waybill)',
    'methodology.fallback.title': 'Fallback rules',
    'methodology.fallback.region':
      'An electricity factor is taken for the province of the vehicle or outlet; if the set has none, the factor of its regional grid; if none, the national average. Eastern Inner Mongolia (Chifeng, Tongliao, Hulunbuir, Hinggan) belongs to the Northeast grid, the rest to the North grid. A result says when a grid or national factor was used.',
    'methodology.fallback.year':
      'If there is no factor for the year, the nearest earlier year is used; if there is no earlier year, the nearest later year. A result shows both the year requested and the year used.',
    'methodology.quality':
      'Data quality tiers: 1 = official Chinese national data (MEE, NBS); 2 = official international defaults (IPCC, UK government conversion factors); 3 = literature estimates, proxies, or values derived with assumptions. A result carries the worst tier of the factors it used.',
    'methodology.rounding':
      'Rounding: a total is computed exactly and then rounded half up; its parts are rounded by the largest-remainder rule so that the parts shown add up to the total shown.',
    'methodology.scope':
      'Electricity and fuel-combustion factors cover CO2 only; packaging material and upstream factors are CO2 equivalents.',

    'emissions.method.mass': 'by mass',
    'emissions.method.mass_reusable': 'spread over design life',
    'emissions.method.fuel': 'fuel-based',
    'emissions.method.electricity': 'electricity-based',
    'emissions.method.fuel_and_electricity': 'fuel- and electricity-based',
    'emissions.method.distance_default': 'distance-based default',
    'emissions.method.avoided_reference': 'reference avoided factor',
    'emissions.method.avoided_mass': 'by mass of the carton replaced',
    'emissions.level.province': 'provincial factor',
    'emissions.level.grid': 'regional grid factor',
    'emissions.level.national': 'national factor',
    'emissions.fallback.region': 'No provincial factor for {requested}; used the {level} ({factorId})',
    'emissions.fallback.year': 'No factor for {requestedYear}; used the factor for {usedYear} ({factorId})',
    'fallbacks.badge': 'fallback factor',
    'fallbacks.recordNote': 'This figure was not computed with the factor of the region or year asked for:',
    'fallbacks.shareTitle': 'Fallback factors',
    'fallbacks.share': '{share} of this period\'s CO₂e ({fallbackT} of {totalT} t CO₂e) comes from records computed with fallback factors.',
    'fallbacks.none': 'All of this period\'s CO₂e was computed with the factors of the region and year asked for.',
    'fallbacks.noEmissions': 'No emissions in this period, so no fallback share.',
    'fallbacks.detailsLink': 'See which fallback factors were used',
    'fallbacks.page.title': 'Fallback factors: {scope}, {period}',
    'fallbacks.page.intro': 'The emissions of these records were not computed with the factor of the region or year asked for (rules on the methodology page). Each row is one fallback: the factor used, the year asked for, the number of records and their CO₂e. A record that used two fallback factors counts in both rows.',
    'fallbacks.page.none': 'No record of this period used a fallback factor.',
    'fallbacks.page.truncated': 'Only the {limit} fallbacks with the most CO₂e are listed.',
    'fallbacks.col.factor': 'Factor used',
    'fallbacks.col.kind': 'Fallback',
    'fallbacks.col.requestedYear': 'Year asked for',
    'fallbacks.col.usedYear': 'Factor year',
    'fallbacks.col.level': 'Factor level',
    'fallbacks.col.recordType': 'Record type',
    'fallbacks.col.records': 'Records',
    'fallbacks.col.co2e': 'CO₂e (kg)',
    'fallbacks.col.example': 'Example record',
    'fallbacks.kind.region': 'region',
    'fallbacks.kind.year': 'year',
    'fallbacks.preview': 'The emissions of {records} rows ({co2e} kg CO₂e) will be computed with fallback factors:',
    'fallbacks.previewRow': '{factorId}: {kinds}, data of {requestedYear} with the factor of {usedYear}, {records} rows, {co2e} kg CO₂e',
    'fallbacks.csvShare': 'Share of CO₂e from fallback factors (%)',
    'fallbacks.print': 'Fallback factors: {share} of this period\'s CO₂e ({fallbackT} t CO₂e) was computed with fallback factors; details at {url}',
    'methodology.fallback.outsideCoverage':
      'When the activity year lies outside the years the factor set covers (2019, say, or a year after the latest published one), the figure is not refused: the region rule picks the level first (province → regional grid → national), then the nearest published year at that level is used. A regional factor of a farther year is preferred to a national factor of a nearer year, because the regional grids differ from each other far more within one year (2022: Southwest 0.2268, North 0.6776 kgCO2/kWh) than the national factor changes from year to year (1–4 % a year over 2021–2023). The factor and year used are shown on the record page, the import preview, the reports, the CSV export and the printed report.',
    'emissions.omission.wtt':
      'The factor set has no well-to-tank factor for "{quantity}"; that part is not included',
  },
)
