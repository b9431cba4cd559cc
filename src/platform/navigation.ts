/** The service navigation. Each feature adds its own section when it registers. */
export interface NavigationItem {
  href: string
  text: string
}

export const serviceNavigation: NavigationItem[] = [
  { href: '/datasets', text: 'Data' },
  { href: '/assets', text: 'Assets' },
  { href: '/requests', text: 'Requests' },
  { href: '/organisations', text: 'Organisations' },
]

/** Items for `govukServiceNavigation`, marking the section the current page belongs to. */
export function navigationFor(path: string) {
  return serviceNavigation.map((item) => ({
    ...item,
    active: path === item.href || path.startsWith(`${item.href}/`),
  }))
}
